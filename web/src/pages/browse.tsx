/** `/`: upload, search, and the newest images first (read again as uploads finish). */
import { useEffect, useRef } from 'preact/hooks';
import { PagedGrid } from '../components/paged-grid';
import { SearchForm } from '../components/search-form';
import { Uploader } from '../components/uploader';
import type { ImageSummary } from '../lib/api';
import { useServices, useTitle } from '../services';
import { usePages } from '../use-pages';

const STATUS_WORDS: Record<string, string> = {
  PENDING: 'Being labeled',
  LABELED: 'Labeled',
  REJECTED: 'Rejected',
  FAILED: 'Failed',
};

export function captionOf(item: ImageSummary): string {
  const status = STATUS_WORDS[item.status] ?? item.status;
  return item.status === 'LABELED' && item.labels.length > 0 ? item.labels.join(', ') : status;
}

const FINAL = new Set(['LABELED', 'REJECTED', 'FAILED']);

/** Each time an upload reaches a final state, the newest images are read again. */
function useRefreshOnUploadOutcome(refresh: () => void) {
  const { uploads } = useServices();
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;
  useEffect(() => {
    const finals = () => uploads.rows().filter((row) => FINAL.has(row.state.status)).length;
    let seen = finals();
    return uploads.subscribe(() => {
      const now = finals();
      if (now !== seen) refreshRef.current();
      seen = now;
    });
  }, [uploads]);
}

export function BrowsePage() {
  const { api } = useServices();
  useTitle('Images');
  const pages = usePages((cursor) => api.listImages({ limit: 24, cursor }), []);
  useRefreshOnUploadOutcome(pages.refresh);
  const items = pages.items.map((item) => ({ ...item, caption: captionOf(item) }));
  return (
    <>
      <h1>Images</h1>
      <Uploader />
      <section class="panel" aria-labelledby="search-heading">
        <h2 id="search-heading">Search by label</h2>
        <SearchForm />
      </section>
      <section aria-labelledby="newest-heading">
        <h2 id="newest-heading">Newest images</h2>
        <PagedGrid
          pages={pages}
          items={items}
          label="Newest images"
          empty="No images yet. Upload one above."
        />
      </section>
    </>
  );
}
