import * as z from 'zod';
import { ConfigurationError } from '../core/errors';

/**
 * Reads and validates the environment once, at cold start. A function that is misconfigured
 * fails on its first invocation with a ConfigurationError that names every bad variable,
 * instead of failing later with `undefined` deep inside the domain code.
 */
export function loadEnv<T extends z.ZodRawShape>(
  shape: T,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<T>> {
  const result = z.object(shape).safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigurationError(`Invalid environment: ${problems.join('; ')}`);
  }
  return result.data;
}

export const nonEmpty = z.string().trim().min(1);
export const intFromEnv = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
export const numberFromEnv = (min: number, max: number) => z.coerce.number().min(min).max(max);
