/**
 * `/images/<key>`: the image with its boxes, its labels (hover or focus one to highlight its
 * boxes), status, reason or error, the label model and settings used, and Delete.
 * A PENDING image is re-read with the uploads' backoff until it is final.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { DeleteImage } from '../components/delete-dialog';
import { fileNameOf } from '../components/image-grid';
import { LabeledImage } from '../components/labeled-image';
import { Failure, Loading } from '../components/notice';
import { ApiError, type ImageLabel, type ImageRecord, imageUrlExpired } from '../lib/api';
import { reasonSentence } from '../lib/messages';
import { POLL_LIMIT_MS, pollDelayMs } from '../lib/upload-machine';
import { navigate } from '../router';
import { useServices, useTitle } from '../services';

type ImageState =
  | { status: 'loading' }
  | { status: 'ready'; record: ImageRecord }
  | { status: 'error'; error: unknown };

const STATUS_TEXT: Record<string, string> = {
  PENDING: 'Being labeled',
  LABELED: 'Labeled',
  REJECTED: 'Rejected',
  FAILED: 'Failed',
};

function useImage(key: string) {
  const { api } = useServices();
  const [state, setState] = useState<ImageState>({ status: 'loading' });
  const [reads, setReads] = useState(0);
  const started = useRef(Date.now());

  useEffect(() => {
    let current = true;
    api.getImage(key).then(
      (record) => current && setState({ status: 'ready', record }),
      (error: unknown) => current && setState({ status: 'error', error }),
    );
    return () => {
      current = false;
    };
  }, [api, key, reads]);

  const record = state.status === 'ready' ? state.record : undefined;
  useEffect(() => {
    if (record?.status !== 'PENDING' || Date.now() - started.current > POLL_LIMIT_MS) return;
    const timer = setTimeout(() => setReads((count) => count + 1), pollDelayMs(reads));
    return () => clearTimeout(timer);
  }, [record, reads]);

  return { state, reload: () => setReads((count) => count + 1) };
}

function LabelList({
  labels,
  onHighlight,
  pinned,
}: {
  labels: ImageLabel[];
  pinned?: string;
  onHighlight: (name?: string, pin?: boolean) => void;
}) {
  if (labels.length === 0) return <p>No labels.</p>;
  return (
    <ul class="labels">
      {labels.map((label) => (
        <li key={label.name}>
          <button
            type="button"
            class="label-button"
            aria-pressed={pinned === label.name}
            onMouseEnter={() => onHighlight(label.name)}
            onMouseLeave={() => onHighlight(undefined)}
            onFocus={() => onHighlight(label.name)}
            onBlur={() => onHighlight(undefined)}
            onClick={() => onHighlight(label.name, true)}
          >
            <span class="label-name">{label.name}</span>{' '}
            <span class="confidence">{label.confidence.toFixed(1)}%</span>
            {label.instances.length > 0 ? (
              <span class="instances">
                {' '}
                · {label.instances.length} {label.instances.length === 1 ? 'box' : 'boxes'}
              </span>
            ) : null}
          </button>
          {label.parents.length > 0 ? <p class="meta">Parents: {label.parents.join(', ')}</p> : null}
          {label.categories.length > 0 ? <p class="meta">Categories: {label.categories.join(', ')}</p> : null}
        </li>
      ))}
    </ul>
  );
}

/**
 * Format and size as displayed: a JPEG whose EXIF orientation turns it by 90° (5-8) shows
 * with width and height swapped, and its boxes are ratios of that displayed frame.
 */
function describeImage(image: NonNullable<ImageRecord['image']>): string {
  const turned = (image.orientation ?? 1) >= 5;
  const [width, height] = turned ? [image.height, image.width] : [image.width, image.height];
  const note =
    image.orientation && image.orientation > 1
      ? ` (as displayed: EXIF orientation ${image.orientation})`
      : '';
  return `${image.format.toUpperCase()}, ${width} × ${height} px${note}`;
}

function Details({ record }: { record: ImageRecord }) {
  const rows: [string, string][] = [['Status', STATUS_TEXT[record.status] ?? record.status]];
  if (record.status === 'REJECTED')
    rows.push(['Reason', `${reasonSentence(record.reason)}${record.detail ? ` (${record.detail})` : ''}`]);
  if (record.status === 'FAILED' && record.error)
    rows.push(['Error', `${record.error.name}: ${record.error.message}`]);
  if (record.image) rows.push(['Image', describeImage(record.image)]);
  if (record.size !== undefined) rows.push(['Size', `${record.size.toLocaleString('en')} bytes`]);
  if (record.labelModelVersion) rows.push(['Label model', record.labelModelVersion]);
  if (record.settings) {
    rows.push([
      'Settings',
      `minimum confidence ${record.settings.minConfidence}%, at most ${record.settings.maxLabels} labels`,
    ]);
  }
  if (record.updatedAt) rows.push(['Updated', new Date(record.updatedAt).toLocaleString()]);
  return (
    <dl class="details">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function ImagePage({ imageKey }: { imageKey: string }) {
  const { api } = useServices();
  const name = fileNameOf(imageKey);
  useTitle(name);
  const { state, reload } = useImage(imageKey);
  const [hovered, setHovered] = useState<string>();
  const [pinned, setPinned] = useState<string>();
  const [broken, setBroken] = useState(false);
  const refreshed = useRef(false);

  const highlight = (label?: string, pin?: boolean) => {
    if (pin) setPinned(pinned === label ? undefined : label);
    else setHovered(label);
  };

  const record = state.status === 'ready' ? state.record : undefined;
  const onImageError = () => {
    if (record && !refreshed.current && imageUrlExpired(record.imageUrlExpiresAt, Date.now())) {
      refreshed.current = true;
      reload();
    } else {
      setBroken(true);
    }
  };

  return (
    <>
      <p>
        <a href="/">← All images</a>
      </p>
      <h1 class="image-title">{name}</h1>
      <p class="key">Key: {imageKey}</p>
      {state.status === 'loading' ? <Loading>Loading the image…</Loading> : null}
      {state.status === 'error' ? (
        <Failure
          error={state.error}
          onRetry={state.error instanceof ApiError && state.error.kind === 'not-found' ? undefined : reload}
        />
      ) : null}
      {record ? (
        <div class="image-layout">
          <section aria-labelledby="picture-heading" class="picture">
            <h2 id="picture-heading" class="visually-hidden">
              Picture
            </h2>
            {record.imageUrl && !broken ? (
              <LabeledImage
                src={record.imageUrl}
                alt={`${name}${
                  record.labels.length > 0
                    ? `: ${record.labels
                        .slice(0, 5)
                        .map((label) => label.name)
                        .join(', ')}`
                    : ''
                }`}
                labels={record.labels}
                highlighted={hovered ?? pinned}
                onError={onImageError}
              />
            ) : (
              <p class="notice">This image cannot be shown.</p>
            )}
          </section>
          <div class="sidebar">
            <section aria-labelledby="labels-heading">
              <h2 id="labels-heading">Labels</h2>
              {record.status === 'PENDING' ? (
                <p role="status">Being labeled…</p>
              ) : (
                <LabelList labels={record.labels} pinned={pinned} onHighlight={highlight} />
              )}
            </section>
            <section aria-labelledby="details-heading">
              <h2 id="details-heading">Details</h2>
              <Details record={record} />
            </section>
            <DeleteImage
              name={name}
              onDelete={async () => {
                await api.deleteImage(imageKey);
                navigate('/');
              }}
            />
          </div>
        </div>
      ) : null}
    </>
  );
}
