// The real lockfiles of test/unit/node-lockfiles (scripts/node-lockfiles.sh), loaded into the model.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { lockfileKind, parseLockfile } from '../../src/builders/node/lockfile.js';
import type { Lockfile } from '../../src/builders/node/lockfile-model.js';
import { parseManifest, type PackageManifest } from '../../src/builders/node/manifest.js';

export const LOCKFILES_DIR = path.join(import.meta.dirname, '../unit/node-lockfiles');
export const MANAGERS = ['npm2', 'npm3', 'pnpm8', 'pnpm10', 'pnpm12', 'yarn1', 'berry', 'bun'] as const;
export type Manager = (typeof MANAGERS)[number];
export type Scenario = 'single' | 'workspace' | 'workspace-bumped';
export const LOCKFILE_NAME: Record<Manager, string> = {
  npm2: 'package-lock.json', npm3: 'package-lock.json', pnpm8: 'pnpm-lock.yaml', pnpm10: 'pnpm-lock.yaml', pnpm12: 'pnpm-lock.yaml',
  yarn1: 'yarn.lock', berry: 'yarn.lock', bun: 'bun.lock',
};
const MEMBERS = { single: ['.'], workspace: ['.', 'packages/api', 'packages/db', 'packages/web'] } as const;

/** The scenario's manifests as the manager saw them (workspace siblings named its way). */
export function scenarioManifests(scenario: Scenario, manager: Manager): Map<string, PackageManifest> {
  const source = scenario === 'single' ? 'single' : 'workspace';
  const sibling = manager.startsWith('npm') || manager === 'yarn1' ? '1.0.0' : 'workspace:*';
  return new Map(MEMBERS[source].map((dir) => {
    let text = readFileSync(path.join(LOCKFILES_DIR, 'src', source, dir, 'package.json'), 'utf8').replace('@WORKSPACE@', sibling);
    if (scenario === 'workspace-bumped' && dir === 'packages/web') text = text.replace('"is-odd": "3.0.1"', '"is-odd": "3.0.0"');
    return [dir, parseManifest(`${dir}/package.json`, text)];
  }));
}

export function lockfileText(scenario: Scenario, manager: Manager): string {
  return readFileSync(path.join(LOCKFILES_DIR, scenario, manager, LOCKFILE_NAME[manager]), 'utf8');
}

export function loadLockfile(scenario: Scenario, manager: Manager, text = lockfileText(scenario, manager)): Lockfile {
  const name = LOCKFILE_NAME[manager];
  return parseLockfile(lockfileKind(name, text), name, text, scenarioManifests(scenario, manager));
}
