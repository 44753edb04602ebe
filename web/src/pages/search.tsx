/** `/search?label=..&minConfidence=..`: images with a label, highest confidence first. */
import { PagedGrid } from '../components/paged-grid';
import { SearchForm } from '../components/search-form';
import { useServices, useTitle } from '../services';
import { usePages } from '../use-pages';

export function SearchPage({ label, minConfidence }: { label: string; minConfidence: number }) {
  const { api } = useServices();
  useTitle(label ? `Images with ${label}` : 'Search');
  const pages = usePages(
    (cursor) =>
      label ? api.searchImages({ label, minConfidence, limit: 24, cursor }) : Promise.resolve({ items: [] }),
    [label, minConfidence],
  );
  const items = pages.items.map((hit) => ({ ...hit, caption: `${hit.label} ${hit.confidence.toFixed(1)}%` }));
  return (
    <>
      <h1>{label ? `Images with “${label}”` : 'Search by label'}</h1>
      <SearchForm key={`${label}\n${minConfidence}`} label={label} minConfidence={minConfidence} />
      {label ? (
        <section aria-labelledby="results-heading">
          <h2 id="results-heading">Results at {minConfidence}% confidence or more</h2>
          <PagedGrid
            pages={pages}
            items={items}
            label="Search results"
            empty={`No image has the label “${label}” at ${minConfidence}% confidence or more.`}
          />
        </section>
      ) : (
        <p>Type a label, such as Person or Car, and choose how confident the labeling must be.</p>
      )}
    </>
  );
}
