/**
 * `/labels?prefix=..`: label names with how many images carry each. Choosing one searches for
 * it at any confidence, so the search finds as many images as the count says.
 */
import type { TargetedSubmitEvent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Empty, Failure, Loading } from '../components/notice';
import type { LabelCount } from '../lib/api';
import { routeUrl } from '../lib/routes';
import { navigate } from '../router';
import { useServices, useTitle } from '../services';

type LabelsState =
  | { status: 'loading' }
  | { status: 'ready'; labels: LabelCount[] }
  | { status: 'error'; error: unknown };

export function LabelsPage({ prefix }: { prefix: string }) {
  const { api } = useServices();
  useTitle('Labels');
  const [state, setState] = useState<LabelsState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    setState({ status: 'loading' });
    api.listLabels({ prefix, limit: 100 }).then(
      (answer) => current && setState({ status: 'ready', labels: answer.labels }),
      (error: unknown) => current && setState({ status: 'error', error }),
    );
    return () => {
      current = false;
    };
  }, [api, prefix, attempt]);

  const onSubmit = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get('prefix') ?? '').trim();
    navigate(routeUrl({ name: 'labels', prefix: value }));
  };

  return (
    <>
      <h1>Labels</h1>
      <form class="search-form" action="/labels" method="get" onSubmit={onSubmit}>
        <div class="field">
          <label for="labels-prefix">Starts with</label>
          {/* Uncontrolled: a re-render (labels arriving) must not wipe what is being typed; the key resets it on navigation. */}
          <input
            key={prefix}
            id="labels-prefix"
            name="prefix"
            type="text"
            maxLength={64}
            defaultValue={prefix}
            autocomplete="off"
          />
        </div>
        <button type="submit">Filter</button>
      </form>
      {state.status === 'loading' ? <Loading>Loading labels…</Loading> : null}
      {state.status === 'error' ? (
        <Failure error={state.error} onRetry={() => setAttempt(attempt + 1)} />
      ) : null}
      {state.status === 'ready' && state.labels.length === 0 ? (
        <Empty>
          {prefix ? `No label starts with “${prefix}”.` : 'No labels yet. Upload an image first.'}
        </Empty>
      ) : null}
      {state.status === 'ready' && state.labels.length > 0 ? (
        <ul class="label-counts" aria-label={prefix ? `Labels starting with ${prefix}` : 'All labels'}>
          {state.labels.map((label) => (
            <li key={label.name}>
              <a href={routeUrl({ name: 'search', label: label.name, minConfidence: 0 })}>{label.name}</a>{' '}
              <span class="count">
                {label.imageCount} {label.imageCount === 1 ? 'image' : 'images'}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
