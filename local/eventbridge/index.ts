export { EventBridgeError } from './errors';
export {
  type DeliveryContext,
  type InputTransformer,
  parseJsonPath,
  readJsonPath,
  renderTemplate,
  type TargetInput,
  TargetInputError,
  targetInput,
  validateTargetInput,
} from './input';
export {
  type EventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
  parseEventPattern,
  validateEventPattern,
} from './patterns';
export { type BusEvent, buildEvent, entrySize, MAX_ENTRIES, MAX_REQUEST_BYTES } from './put-events';
export { createEventBridgeService, type EventBridgeService, type EventBridgeServiceOptions } from './service';
export { openRuleStore, type RuleStore, type StoredRule, type StoredTarget } from './store';
