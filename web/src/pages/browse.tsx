/** `/`: upload, search, and the newest images first. */
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

export function BrowsePage() {
  const { api } = useServices();
  useTitle('Images');
  const pages = usePages((cursor) => api.listImages({ limit: 24, cursor }), []);
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
