// The Node lockfile model, checked by value against real lockfiles written by npm 11 (v2, v3),
// pnpm 8 (v6), 10 and 12 (v9), yarn 1.22 and 4.18, and bun 1.4 (scripts/node-lockfiles.sh).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { closureKeyMaterial, productionClosure } from '../../src/builders/node/closure.js';
import { findLockfile, lockfileKind, parseLockfile } from '../../src/builders/node/lockfile.js';
import type { Lockfile } from '../../src/builders/node/lockfile-model.js';
import { parseManifest } from '../../src/builders/node/manifest.js';
import { ConfigError } from '../../src/errors.js';
import { LOCKFILE_NAME, LOCKFILES_DIR, loadLockfile, MANAGERS, scenarioManifests, type Manager } from '../helpers/node-lockfiles.js';

const HERE = LOCKFILES_DIR;
const load = loadLockfile;
const manifests = scenarioManifests;

/** name@version of every fetched package in a closure. */
function packagesOf(lockfile: Lockfile, importer: string): string[] {
  const closure = productionClosure(lockfile, importer);
  return [...new Set(closure.ids.map((id) => lockfile.nodes.get(id)!).filter((n) => n.localPath === undefined).map((n) => `${n.name}@${n.version}`))].sort();
}

function nodeNamed(lockfile: Lockfile, name: string, version?: string) {
  return [...lockfile.nodes.values()].find((n) => n.name === name && (version === undefined || n.version === version));
}

describe('Node lockfiles of every manager, read into one model', () => {
  const npmClosure = packagesOf(load('single', 'npm3'), '.');

  it('reads the production closure npm would install from its own lockfile', () => {
    expect(npmClosure).toContain('better-sqlite3@12.11.1');
    expect(npmClosure).toContain('ms@2.0.0');
    expect(npmClosure).toContain('ms@2.1.3');
    expect(npmClosure).toContain('@node-rs/crc32-linux-arm64-gnu@1.10.8');
    expect(npmClosure).toContain('is-even@1.0.0');
    expect(npmClosure).not.toContain('is-number@7.0.0');
    expect(npmClosure.length).toBeGreaterThan(40);
  });

  // Yarn berry's lockfile also adds node-gyp@latest to better-sqlite3 (it has a binding.gyp): a
  // build tool, left out of the closure like npm leaves it out.
  it.each(MANAGERS)('finds the same production closure in the %s lockfile', (manager) => {
    expect(packagesOf(load('single', manager), '.')).toEqual(npmClosure);
  });

  it('agrees with the dev flags npm records: a package is dev exactly when no production edge reaches it', () => {
    const lockfile = load('workspace', 'npm3');
    const text = JSON.parse(readFileSync(path.join(HERE, 'workspace/npm3/package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; link?: boolean }> };
    const production = new Set(['.', 'packages/api', 'packages/db', 'packages/web'].flatMap((dir) => productionClosure(lockfile, dir).ids));
    for (const [key, entry] of Object.entries(text.packages)) {
      if (entry.link || key === '' || !key.includes('node_modules/')) continue;
      expect(production.has(key), key).toBe(!entry.dev);
    }
  });

  it.each([
    ['npm3', true], ['npm2', true], ['bun', true], ['pnpm8', true], ['berry', true], ['pnpm10', undefined], ['pnpm12', undefined], ['yarn1', undefined],
  ] as const)('knows from the %s lockfile whether better-sqlite3 runs an install script: %s', (manager, expected) => {
    expect(nodeNamed(load('single', manager), 'better-sqlite3')!.installScript).toBe(expected);
    if (expected === true && manager !== 'pnpm8' && manager !== 'berry') expect(nodeNamed(load('single', manager), 'ms')!.installScript).toBe(false);
  });

  it.each(MANAGERS.filter((m) => m !== 'yarn1'))('reads os, cpu and libc of napi-rs platform packages from the %s lockfile', (manager) => {
    expect(nodeNamed(load('single', manager), '@node-rs/crc32-linux-arm64-gnu')!.platform).toEqual({ os: ['linux'], cpu: ['arm64'], libc: ['glibc'] });
    expect(nodeNamed(load('single', manager), '@node-rs/crc32-darwin-x64')!.platform).toEqual({ os: ['darwin'], cpu: ['x64'] });
  });

  it.each(MANAGERS.filter((m) => m !== 'berry'))('carries integrity hashes from the %s lockfile', (manager) => {
    expect(nodeNamed(load('single', manager), 'ms', '2.1.3')!.integrity).toBe('sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==');
  });
});

describe('a function that is a workspace package', () => {
  it.each(MANAGERS)('reaches only its own production closure in the %s workspace lockfile', (manager) => {
    const lockfile = load('workspace', manager);
    const closure = productionClosure(lockfile, 'packages/api');
    expect(closure.localPaths).toEqual(['packages/db']);
    expect(packagesOf(lockfile, 'packages/api')).toEqual(['debug@4.4.3', 'ms@2.1.3']);
    expect(packagesOf(lockfile, 'packages/web')).toEqual(['is-number@6.0.0', 'is-odd@3.0.1', 'ms@2.0.0']);
  });

  it.each(MANAGERS)('keeps its cache key when another member changes a dependency (%s)', (manager) => {
    const before = load('workspace', manager);
    const after = load('workspace-bumped', manager);
    const key = (lockfile: Lockfile, dir: string) => closureKeyMaterial(lockfile, productionClosure(lockfile, dir));
    expect(key(after, 'packages/api')).toBe(key(before, 'packages/api'));
    expect(key(after, 'packages/db')).toBe(key(before, 'packages/db'));
    expect(key(after, 'packages/web')).not.toBe(key(before, 'packages/web'));
    expect(packagesOf(after, 'packages/web')).toContain('is-odd@3.0.0');
  });

  it('changes its key when its own dependency changes', () => {
    const lockfile = load('workspace', 'pnpm10');
    const text = readFileSync(path.join(HERE, 'workspace/pnpm10/pnpm-lock.yaml'), 'utf8');
    const bumped = parseLockfile('pnpm', 'pnpm-lock.yaml', text.replace(/sha512-RGwwWnwQ[^}]+/, 'sha512-changed'));
    expect(closureKeyMaterial(bumped, productionClosure(bumped, 'packages/api'))).not.toBe(closureKeyMaterial(lockfile, productionClosure(lockfile, 'packages/api')));
  });
});

describe('lockfiles that cannot be used', () => {
  function configError(run: () => unknown): ConfigError {
    try { run(); } catch (error) { if (error instanceof ConfigError) return error; throw error; }
    throw new Error('no error');
  }

  it('refuses two lockfiles, naming both', () => {
    const error = configError(() => findLockfile(['package.json', 'pnpm-lock.yaml', 'package-lock.json'], 'functions/api'));
    expect(error.code).toBe('LOCKFILE_AMBIGUOUS');
    expect(error.message).toContain('functions/api/package-lock.json and functions/api/pnpm-lock.yaml');
  });

  it('tells yarn berry from yarn classic by the lockfile\'s content', () => {
    expect(lockfileKind('yarn.lock', readFileSync(path.join(HERE, 'single/berry/yarn.lock'), 'utf8'))).toBe('yarn-berry');
    expect(lockfileKind('yarn.lock', readFileSync(path.join(HERE, 'single/yarn1/yarn.lock'), 'utf8'))).toBe('yarn-classic');
  });

  it('refuses bun\'s binary lockfile with the command that writes the text one', () => {
    expect(configError(() => findLockfile(['bun.lockb'], 'fn')).message).toContain('bun install --save-text-lockfile');
  });

  it.each([
    ['package-lock.json', 'npm', '{\n  "lockfileVersion": 3,\n  "packages": {\n    "": {}\n    "x": 1\n}', /package-lock\.json:5: cannot read [\w.-]+: not valid JSON.*npm install --package-lock-only/s],
    ['package-lock.json', 'npm', '{ "lockfileVersion": 1, "dependencies": {} }', /lockfileVersion 1 has no "packages".*npm 7/],
    ['pnpm-lock.yaml', 'pnpm', "lockfileVersion: '9.0'\nimporters:\n  .:\n   dependencies: [\n", /pnpm-lock\.yaml:\d+: cannot read [\w.-]+: not valid YAML.*pnpm install --lockfile-only/s],
    ['pnpm-lock.yaml', 'pnpm', "lockfileVersion: 5.4\n", /lockfileVersion 5.4 is not one lambda-pack reads/],
    ['yarn.lock', 'yarn-classic', '# yarn lockfile v1\n\nms@2.1.3:\n   version "2.1.3"\n', /yarn\.lock:4: cannot read yarn\.lock: an indentation.*yarn install/],
    ['yarn.lock', 'yarn-berry', '__metadata:\n  version: 8\n"ms@npm:2.1.3":\n  version: 2.1.3\n', /yarn\.lock:3: cannot read yarn\.lock: the entry "ms@npm:2.1.3" has no resolution.*yarn install --mode=update-lockfile/],
    ['bun.lock', 'bun', '{\n  "lockfileVersion": 1,\n  "packages": {\n    "ms": ["ms@2.1.3" "", {}, "sha512-x"],\n  }\n}', /bun\.lock:4: cannot read [\w.-]+: not valid JSON.*bun install --lockfile-only/s],
  ] as const)('refuses a malformed %s (%s) naming the line and the command that regenerates it', (file, kind, text, message) => {
    const error = configError(() => parseLockfile(kind, file, text, new Map([['.', parseManifest('package.json', '{}')]])));
    expect(error.code).toBe('LOCKFILE_INVALID');
    expect(error.message).toMatch(message);
  });

  it.each(MANAGERS)('refuses a workspace function whose dependency the %s lockfile does not pin', (manager) => {
    const error = configError(() => productionClosure(dropPackage(manager, 'debug'), 'packages/api'));
    expect(error.code).toBe('LOCKFILE_OUT_OF_SYNC');
    expect(error.message).toMatch(/: packages\/db depends on "debug", which the lockfile does not pin\. .*Update it with: /);
  });
});

/** The workspace lockfile of `manager` with every entry of `name` removed from its text. */
function dropPackage(manager: Manager, name: string): Lockfile {
  const file = LOCKFILE_NAME[manager];
  let text = readFileSync(path.join(HERE, 'workspace', manager, file), 'utf8');
  if (file === 'package-lock.json') {
    const doc = JSON.parse(text) as { packages: Record<string, unknown>; dependencies?: Record<string, unknown> };
    for (const key of Object.keys(doc.packages)) if (key.endsWith(`node_modules/${name}`)) delete doc.packages[key];
    text = JSON.stringify(doc);
  } else if (file === 'bun.lock') {
    text = text.split('\n').filter((l) => !l.trimStart().startsWith(`"${name}": [`)).join('\n');
  } else {
    // YAML and yarn v1: drop each top-level block whose key starts with the name.
    const blocks = text.split(/\n(?=\S)/);
    text = blocks.filter((b) => !new RegExp(`^['"/]*${name}@`).test(b) && !new RegExp(`^\\s+/?${name}@`).test(b)).join('\n');
    text = text.replace(new RegExp(`\\n  /?${name}@[^\\n]*:\\n(    [^\\n]*\\n)*`, 'g'), '\n');
  }
  return parseLockfile(lockfileKind(file, text), file, text, manifests('workspace', manager));
}
