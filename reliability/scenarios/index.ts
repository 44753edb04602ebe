import type { ScenarioResult } from '../harness';
import { badInput } from './bad-input';

/** Every scenario, in the order the runner plays them. */
export const SCENARIOS: Record<string, () => Promise<ScenarioResult>> = {
  'bad-input': badInput,
};
