/** "Delete" with a confirmation: a modal `<dialog>` (the browser traps and restores focus). */
import { useRef, useState } from 'preact/hooks';
import { Failure } from './notice';

export function DeleteImage({ name, onDelete }: { name: string; onDelete: () => Promise<void> }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const confirm = async () => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await onDelete();
      dialog.current?.close();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" class="danger" onClick={() => dialog.current?.showModal()}>
        Delete
      </button>
      <dialog
        ref={dialog}
        aria-labelledby="delete-title"
        aria-describedby="delete-text"
        onClose={() => setError(undefined)}
      >
        <h2 id="delete-title">Delete this image?</h2>
        <p id="delete-text">“{name}” and its labels will be deleted. This cannot be undone.</p>
        {error ? <Failure error={error} /> : null}
        <div class="actions">
          <button type="button" autofocus onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="button" class="danger" onClick={confirm} aria-disabled={busy}>
            {busy ? 'Deleting…' : 'Delete image'}
          </button>
        </div>
      </dialog>
    </>
  );
}
