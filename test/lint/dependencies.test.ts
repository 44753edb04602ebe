/**
 * The runtime dependencies (what esbuild bundles into the functions) stay tidy: each one is used,
 * and the AWS SDK, Smithy and Powertools packages resolve to one version each, so no function
 * bundles two copies of the same runtime.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const readJson = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8'));

const manifest = readJson('package.json') as { dependencies: Record<string, string> };
const lock = readJson('package-lock.json') as { packages: Record<string, unknown> };
const dependencies = Object.keys(manifest.dependencies);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The bare package names that functions/ imports (`zod`, `@aws-sdk/client-s3`, ...). */
function importedPackages(): Set<string> {
  const found = new Set<string>();
  for (const file of sourceFiles('functions')) {
    const source = readFileSync(join(root, file), 'utf8');
    for (const [, specifier = ''] of source.matchAll(/from '([^'.][^']*)'/g)) {
      const parts = specifier.split('/');
      found.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? ''));
    }
  }
  return found;
}

/** Peer dependencies that a dependency loads for us (Powertools' secrets reader needs the SDK client). */
function peersOfDependencies(): Set<string> {
  const peers = new Set<string>();
  for (const name of dependencies) {
    const installed = readJson(join('node_modules', name, 'package.json')) as {
      peerDependencies?: Record<string, string>;
    };
    for (const peer of Object.keys(installed.peerDependencies ?? {})) peers.add(peer);
  }
  return peers;
}

type LockEntry = { version?: string; dependencies?: Record<string, string> };
const entries = Object.entries(lock.packages as Record<string, LockEntry>);
const nameOf = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

/** The packages that only `owner` depends on (with what they pull in, nested under them). */
function onlyFor(owner: string): string[] {
  const dependents = new Map<string, Set<string>>();
  for (const [path, entry] of entries) {
    for (const name of Object.keys(entry.dependencies ?? {})) {
      dependents.set(name, (dependents.get(name) ?? new Set()).add(nameOf(path)));
    }
  }
  return [...dependents].filter(([, by]) => by.size === 1 && by.has(owner)).map(([name]) => name);
}

/** Every version of each package in the lockfile, leaving out the private copies of `exceptFor`. */
function versionsByPackage(pattern: RegExp, exceptFor: string): Map<string, Set<string>> {
  const privateTrees = [exceptFor, ...onlyFor(exceptFor)].map((name) => `node_modules/${name}/`);
  const versions = new Map<string, Set<string>>();
  for (const [path, entry] of entries) {
    const name = nameOf(path);
    const isPrivate = privateTrees.some((tree) => `${path}/`.startsWith(tree) || path.includes(`/${tree}`));
    if (!path.includes('node_modules/') || !pattern.test(name) || isPrivate || !entry.version) continue;
    versions.set(name, (versions.get(name) ?? new Set()).add(entry.version));
  }
  return versions;
}

describe('runtime dependencies', () => {
  const imported = importedPackages();

  it('are each imported by the functions, or are a peer a dependency loads', () => {
    const peers = peersOfDependencies();
    const unused = dependencies.filter((name) => !imported.has(name) && !peers.has(name));
    expect(unused).toEqual([]);
  });

  it('include every package the functions import (nothing bundled by accident from devDependencies)', () => {
    const builtIn = (name: string) => name.startsWith('node:') || name === 'aws-lambda';
    const missing = [...imported].filter((name) => !builtIn(name) && !dependencies.includes(name));
    expect(missing).toEqual([]);
  });

  it('resolve the AWS SDK, Smithy and Powertools packages to one version each', () => {
    // The X-Ray SDK (under Powertools Tracer) pins an old Smithy package for its own use only.
    const versions = versionsByPackage(
      /^@(aws-sdk|smithy|aws-crypto|aws-lambda-powertools)\//,
      'aws-xray-sdk-core',
    );
    expect(versions.size).toBeGreaterThan(20);
    const duplicated = [...versions].filter(([, found]) => found.size > 1).map(([name]) => name);
    expect(duplicated).toEqual([]);
  });
});
