/**
 * The tracing modes (tracing.ts), declared once for the functions, which validate the variable
 * at cold start, and for infra, which validates the stage's choice at synth. No side effects, so
 * infra can import it without loading a tracer.
 */
export const TRACING_MODES = ['active', 'xray-sdk'] as const;
export type TracingMode = (typeof TRACING_MODES)[number];

/** The mode a variable names; an unknown value fails the cold start, naming what is allowed. */
export function tracingMode(value: string | undefined): TracingMode {
  if (value === undefined) return 'active';
  if ((TRACING_MODES as readonly string[]).includes(value)) return value as TracingMode;
  throw new Error(`TRACING_MODE must be one of ${TRACING_MODES.join(', ')}; got ${JSON.stringify(value)}.`);
}
