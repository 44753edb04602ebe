import type { ScenarioResult } from '../harness';
import { apiFuzz } from './api-fuzz';
import { badInput } from './bad-input';
import { burst } from './burst';
import { counts } from './counts';
import { crashRestart } from './crash-restart';
import { duplicates } from './duplicates';
import { faults } from './faults';

/** Every scenario, in the order the runner plays them. */
export const SCENARIOS: Record<string, () => Promise<ScenarioResult>> = {
  'bad-input': badInput,
  duplicates: () => duplicates(),
  faults: () => faults(),
  'api-fuzz': () => apiFuzz(),
  counts: () => counts(),
  burst: () => burst(),
  'crash-restart': () => crashRestart(),
};
