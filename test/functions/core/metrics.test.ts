/**
 * The metric catalog says what the functions emit. The types keep handlers and infra to its
 * names; these checks keep the catalog itself true: each entry is emitted by code, under a
 * service that exists, with the dimensions the code adds.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEPLOYMENT_HOOKS_SERVICE, METRICS, type MetricName } from '../../../functions/core/metrics';
import { FUNCTIONS } from '../../../infra/config/functions';

const root = join(import.meta.dirname, '..', '..', '..', 'functions');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const code = sources(root).map((path) => readFileSync(path, 'utf8'));
const names = Object.keys(METRICS) as MetricName[];

describe('the metric catalog', () => {
  it.each(names)('%s is emitted by the functions', (name) => {
    expect(code.some((source) => new RegExp(`emit\\([^)]*'${name}'`).test(source))).toBe(true);
  });

  it.each(names)('%s names services that exist', (name) => {
    const services = new Set([
      ...Object.values(FUNCTIONS).map((spec) => spec.handlerDir),
      DEPLOYMENT_HOOKS_SERVICE,
    ]);
    expect(METRICS[name].services.filter((service) => !services.has(service))).toEqual([]);
  });

  it('lists the dimensions the code adds, and the code adds only those', () => {
    const added = new Set(
      code.flatMap((source) => [...source.matchAll(/addDimension\('(\w+)'/g)].map((m) => m[1])),
    );
    const declared = new Set(
      names.flatMap((name) => ('dimensions' in METRICS[name] ? METRICS[name].dimensions : [])),
    );
    expect([...added].sort()).toEqual([...declared].sort());
  });
});
