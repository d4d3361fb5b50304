// lambda-pack's own pruned lockfile: from any manager's lockfile, the node_modules layout npm
// itself chose, and a package-lock npm ci accepts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prunedNpmProject } from '../../src/builders/node/pruned-project.js';
import { LOCKFILES_DIR, loadLockfile, MANAGERS } from '../helpers/node-lockfiles.js';

/** The production part of npm's own layout: install path → version. */
function npmLayout(scenario: string, under = ''): Map<string, string> {
  const lock = JSON.parse(readFileSync(path.join(LOCKFILES_DIR, scenario, 'npm3/package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; dev?: boolean; link?: boolean }> };
  return new Map(Object.entries(lock.packages).filter(([k, v]) => k.startsWith(`${under}node_modules/`) && !v.dev && !v.link).map(([k, v]) => [k.slice(under.length), v.version!]));
}

function versions(layout: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...layout].map(([p, spec]) => [p, spec.slice(spec.lastIndexOf('@') + 1)]));
}

describe('the pruned lockfile of a whole project', () => {
  // npm's full tree keeps the devDependency is-number@7 at the root, so is-odd's is-number@3
  // nests; a production-only tree has room for it at the root.
  const expected = new Map(npmLayout('single'));
  expected.delete('node_modules/is-odd/node_modules/is-number');
  expected.set('node_modules/is-number', '3.0.0');

  it.each(MANAGERS)('lays node_modules out as npm does, from the %s lockfile', (manager) => {
    expect(versions(prunedNpmProject(loadLockfile('single', manager), { importer: '.' }).layout)).toEqual(expected);
  });
});

describe('the pruned lockfile of a workspace function', () => {
  it.each(MANAGERS)('holds only the function\'s production closure, the workspace library as a copy (%s)', (manager) => {
    const project = prunedNpmProject(loadLockfile('workspace', manager), { importer: 'packages/api' });
    expect(versions(project.layout)).toEqual(new Map([['node_modules/@acme/db', '1.0.0'], ['node_modules/debug', '4.4.3'], ['node_modules/ms', '2.1.3']]));
    expect(project.localPaths).toEqual(['packages/db']);
    expect(JSON.parse(project.manifest)).toEqual({ name: expect.any(String), version: expect.any(String), private: true, dependencies: { '@acme/db': 'file:../db', ms: '2.1.3' } });
    const lock = JSON.parse(project.lockfile);
    expect(lock.packages['node_modules/@acme/db']).toEqual({ version: '1.0.0', resolved: 'file:../db', hasInstallScript: true, dependencies: { debug: '4.4.3' } });
    expect(lock.packages['node_modules/debug']).toMatchObject({ version: '4.4.3', dependencies: { ms: '2.1.3' } });
    if (manager !== 'berry') expect(lock.packages['node_modules/ms'].integrity).toBe('sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==');
  });

  it.each(MANAGERS)('is byte-identical when another member changes a dependency (%s)', (manager) => {
    const before = prunedNpmProject(loadLockfile('workspace', manager), { importer: 'packages/api' });
    const after = prunedNpmProject(loadLockfile('workspace-bumped', manager), { importer: 'packages/api' });
    expect(after.lockfile).toBe(before.lockfile);
    expect(after.manifest).toBe(before.manifest);
    expect(prunedNpmProject(loadLockfile('workspace-bumped', manager), { importer: 'packages/web' }).lockfile)
      .not.toBe(prunedNpmProject(loadLockfile('workspace', manager), { importer: 'packages/web' }).lockfile);
  });
});

describe('the pruned lockfile of a bundle\'s externals', () => {
  it.each(MANAGERS)('holds only the named packages and what they depend on (%s)', (manager) => {
    const project = prunedNpmProject(loadLockfile('single', manager), { importer: '.', only: [{ name: '@node-rs/crc32' }], name: 'externals', version: '0.0.0' });
    const names = [...project.layout.values()].map((spec) => spec.slice(0, spec.lastIndexOf('@')));
    expect(names.every((n) => n.startsWith('@node-rs/crc32'))).toBe(true);
    expect(names).toContain('@node-rs/crc32-linux-arm64-gnu');
    expect(JSON.parse(project.manifest).dependencies).toEqual({ '@node-rs/crc32': '1.10.8' });
    const lock = JSON.parse(project.lockfile);
    if (manager !== 'yarn1') expect(lock.packages['node_modules/@node-rs/crc32-linux-x64-musl']).toMatchObject({ optional: true, os: ['linux'], cpu: ['x64'], libc: ['musl'] });
  });
});
