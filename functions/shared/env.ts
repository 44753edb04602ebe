import { ConfigurationError } from '../core/errors';
import * as z from '../core/zod';

/**
 * Reads and validates the environment once, at cold start. A function that is misconfigured
 * fails on its first invocation with a ConfigurationError that names every bad variable,
 * instead of failing later with `undefined` deep inside the domain code.
 */
export function loadEnv<T extends z.core.$ZodShape>(
  shape: T,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodMiniObject<T>> {
  const result = z.object(shape).safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigurationError(`Invalid environment: ${problems.join('; ')}`);
  }
  return result.data;
}

/** A function's environment: one schema per variable. */
export type EnvShape = z.core.$ZodShape;

type OptionalKeys<S extends EnvShape> = {
  [K in keyof S]: S[K] extends z.ZodMiniOptional | z.ZodMiniDefault ? K : never;
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

export const nonEmpty = z.string().check(z.trim(), z.minLength(1));
export const intFromEnv = (min: number, max: number) =>
  z.coerce.number().check(z.int(), z.gte(min), z.lte(max));
export const numberFromEnv = (min: number, max: number) => z.coerce.number().check(z.gte(min), z.lte(max));
