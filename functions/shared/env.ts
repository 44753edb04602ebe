import * as v from 'valibot';
import { ConfigurationError } from '../core/errors';
import { issueLines } from '../core/validation';

/** A function's environment: one schema per variable, each over the variable's string. */
export type EnvShape = Record<string, v.GenericSchema<string | undefined, unknown>>;

/**
 * Reads and validates the environment once, at cold start. A function that is misconfigured
 * fails on its first invocation with a ConfigurationError that names every bad variable,
 * instead of failing later with `undefined` deep inside the domain code.
 */
export function loadEnv<T extends EnvShape>(
  shape: T,
  source: NodeJS.ProcessEnv = process.env,
): v.InferOutput<v.ObjectSchema<T, undefined>> {
  const result = v.safeParse(v.object(shape), source);
  if (!result.success) {
    throw new ConfigurationError(`Invalid environment: ${issueLines(result.issues).join('; ')}`);
  }
  return result.output;
}

type OptionalKeys<S extends EnvShape> = {
  [K in keyof S]: undefined extends v.InferInput<S[K]> ? K : never;
}[keyof S];

/**
 * The variables infra must set for a shape: a string for each required variable, so a variable
 * the handler needs and infra forgets is a type error at synth, not a ConfigurationError at run time.
 */
export type EnvVars<S extends EnvShape> = { [K in Exclude<keyof S, OptionalKeys<S>>]: string } & {
  [K in OptionalKeys<S>]?: string;
};

/** The shape of a function that reads no variables of its own. */
export const NO_ENVIRONMENT = {} satisfies EnvShape;

export const nonEmpty = v.pipe(v.string(), v.trim(), v.minLength(1));
export const intFromEnv = (min: number, max: number) =>
  v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(min), v.maxValue(max));
export const numberFromEnv = (min: number, max: number) =>
  v.pipe(v.string(), v.toNumber(), v.minValue(min), v.maxValue(max));
