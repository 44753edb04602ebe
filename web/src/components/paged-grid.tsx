/** A paged image grid with its loading, empty, error and "More" states. */
import type { ComponentChildren } from 'preact';
import type { usePages } from '../use-pages';
import { type GridItem, ImageGrid } from './image-grid';
import { Empty, Failure, Loading } from './notice';

type Pages = ReturnType<typeof usePages<unknown>>;

export function PagedGrid({
  pages,
  items,
  label,
  empty,
}: {
  pages: Pick<Pages, 'status' | 'error' | 'next' | 'more' | 'retry'>;
  items: GridItem[];
  label: string;
  empty: ComponentChildren;
}) {
  if (pages.status === 'loading') return <Loading>Loading images…</Loading>;
  if (pages.status === 'error' && items.length === 0)
    return <Failure error={pages.error} onRetry={pages.retry} />;
  if (items.length === 0) return <Empty>{empty}</Empty>;
  return (
    <>
      <ImageGrid items={items} label={label} />
      {pages.status === 'loading-more' ? <Loading>Loading more images…</Loading> : null}
      {pages.status === 'error' ? <Failure error={pages.error} onRetry={pages.retry} /> : null}
      {pages.next && pages.status !== 'error' ? (
        <p>
          <button type="button" onClick={pages.more} aria-disabled={pages.status === 'loading-more'}>
            More
          </button>
        </p>
      ) : null}
    </>
  );
}
