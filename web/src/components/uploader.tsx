/**
 * Upload: drop files or choose them; each becomes a row that shows its state in words, its
 * progress while it uploads, and a link to the image once it has a key. A polite live region
 * announces each change of state (not every progress tick).
 */
import type { TargetedDragEvent, TargetedEvent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { imagePath } from '../lib/routes';
import { describeUpload, progressPercent, type UploadState } from '../lib/upload-machine';
import type { UploadRow } from '../lib/upload-store';
import { useServices } from '../services';

function useUploads() {
  const { uploads } = useServices();
  const [snapshot, setSnapshot] = useState(() => ({ rows: uploads.rows(), said: uploads.announcement() }));
  useEffect(() => {
    const update = () => setSnapshot({ rows: uploads.rows(), said: uploads.announcement() });
    update();
    return uploads.subscribe(update);
  }, [uploads]);
  return { ...snapshot, add: (files: File[]) => void uploads.add(files) };
}

const keyOf = (state: UploadState) =>
  'key' in state && state.status !== 'uploading' ? state.key : undefined;

function Row({ row }: { row: UploadRow }) {
  const { state } = row;
  const key = keyOf(state);
  return (
    <li class={`upload upload-${state.status}`} data-upload-name={row.name} data-status={state.status}>
      <span class="upload-name">{key ? <a href={imagePath(key)}>{row.name}</a> : row.name}</span>
      <span class="upload-state">{describeUpload(state)}</span>
      {state.status === 'uploading' && state.key ? (
        <progress max={100} value={progressPercent(state)} aria-label={`Upload of ${row.name}`} />
      ) : null}
    </li>
  );
}

export function Uploader() {
  const { rows, said, add } = useUploads();
  const [dragging, setDragging] = useState(false);

  const onDrop = (event: TargetedDragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length > 0) add(files);
  };
  const onDragOver = (event: TargetedDragEvent<HTMLDivElement>) => {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  };
  const onChange = (event: TargetedEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length > 0) add(files);
  };

  return (
    <section class="panel" aria-labelledby="upload-heading">
      <h2 id="upload-heading">Upload images</h2>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping is the mouse's shortcut; the file input inside is the keyboard's way. */}
      <div
        class={dragging ? 'dropzone dropzone-active' : 'dropzone'}
        data-testid="dropzone"
        onDragOver={onDragOver}
        onDragEnter={onDragOver}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>Drop JPEG or PNG images here, up to 15 MB each, or choose them:</p>
        <label class="file-label" for="choose-images">
          Choose images
        </label>
        <input id="choose-images" type="file" multiple accept="image/jpeg,image/png" onChange={onChange} />
      </div>
      <p class="visually-hidden" role="status">
        {said}
      </p>
      {rows.length > 0 ? (
        <ul class="uploads" aria-label="Uploads">
          {rows.map((row) => (
            <Row key={row.id} row={row} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}
