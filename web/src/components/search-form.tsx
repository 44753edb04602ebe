/**
 * Search by label with a minimum confidence: a real GET form to /search, routed in place. Its
 * inputs are uncontrolled (defaultValue), so a re-render of the page around it, such as the
 * image list arriving, never wipes what is being typed; the search page keys it by its query.
 */
import type { TargetedSubmitEvent } from 'preact';
import { DEFAULT_MIN_CONFIDENCE, routeUrl } from '../lib/routes';
import { navigate } from '../router';

export function SearchForm({ label = '', minConfidence = DEFAULT_MIN_CONFIDENCE }) {
  const onSubmit = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const confidence = Number(data.get('minConfidence'));
    navigate(
      routeUrl({
        name: 'search',
        label: String(data.get('label') ?? '').trim(),
        minConfidence: Number.isFinite(confidence)
          ? Math.min(100, Math.max(0, confidence))
          : DEFAULT_MIN_CONFIDENCE,
      }),
    );
  };
  return (
    <search>
      <form class="search-form" action="/search" method="get" onSubmit={onSubmit}>
        <div class="field">
          <label for="search-label">Label</label>
          <input
            id="search-label"
            name="label"
            type="text"
            required
            maxLength={64}
            defaultValue={label}
            autocomplete="off"
          />
        </div>
        <div class="field">
          <label for="search-confidence">Minimum confidence</label>
          <input
            id="search-confidence"
            name="minConfidence"
            type="number"
            min={0}
            max={100}
            step="any"
            inputMode="decimal"
            defaultValue={String(minConfidence)}
          />
        </div>
        <button type="submit">Search</button>
      </form>
    </search>
  );
}
