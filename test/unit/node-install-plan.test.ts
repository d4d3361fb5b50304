// Node install plans by value, from real projects on disk: which manager runs which argv, what is
// sent into the container, and what keys the dependency cache.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planNodeInstall } from '../../src/builders/node/install-plan.js';
import { readNodeProject } from '../../src/builders/node/project-files.js';
import { ConfigError } from '../../src/errors.js';
import { architecture } from '../../src/runtimes.js';
import { REPO } from '../helpers/cli.js';
import { tempProject } from '../helpers/project.js';

const x86 = { arch: architecture('x86_64') };
const arm = { arch: architecture('arm64') };
const WORKSPACE = path.join(REPO, 'fixtures/node-pnpm-workspace');
const copies: string[] = [];
afterAll(() => { for (const dir of copies) rmSync(dir, { recursive: true, force: true }); });

function copyOf(fixture: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-node-plan-'));
  copies.push(dir);
  cpSync(fixture, dir, { recursive: true, filter: (src) => !src.includes('node_modules') });
  return dir;
}

async function planOf(projectRoot: string, source: string, target = x86) {
  return planNodeInstall(await readNodeProject({ name: 'fn', projectRoot, source: path.join(projectRoot, source) }), target);
}

describe('a function in a pnpm workspace', () => {
  it('installs its closure from lambda-pack\'s pruned lockfile with npm ci, workspace packages sent as npm would pack them', async () => {
    const plan = await planOf(WORKSPACE, 'packages/report');
    expect(plan.mode).toBe('pruned');
    expect(plan.workdir).toBe('packages/report');
    expect(plan.output).toBe('packages/report/node_modules');
    expect(plan.steps.map((s) => s.argv)).toEqual([['npm', 'ci', '--omit=dev', '--no-audit', '--no-fund', '--foreground-scripts', '--loglevel=warn', '--install-links', '--prefix=packages/report']]);
    expect(plan.inputs.map((i) => i.path)).toEqual([
      'packages/report/package.json', 'packages/report/package-lock.json',
      'packages/db/index.js', 'packages/db/package.json',
      'packages/native-sum/binding.gyp', 'packages/native-sum/index.js', 'packages/native-sum/package.json', 'packages/native-sum/src/sum.c',
    ]);
    const manifest = plan.inputs[0] as { content: string };
    expect(JSON.parse(manifest.content).dependencies).toEqual({ '@acme/db': 'file:../db', ms: '2.1.3', 'native-sum': 'file:../native-sum' });
    expect(plan.manager).toMatchObject({ manager: 'pnpm', version: '10.34.9', source: 'packageManager' });
  });

  it('keeps its dependency key when another workspace package changes a dependency, and changes it for its own', async () => {
    const copy = copyOf(WORKSPACE);
    const before = (await planOf(copy, 'packages/report')).keyMaterial;
    const lock = path.join(copy, 'pnpm-lock.yaml');
    // @acme/web (not a function) moves is-odd to 3.0.0 in its importer entry (the real managers'
    // lockfiles for that change are checked in node-lockfiles.test.ts).
    const text = readFileSync(lock, 'utf8');
    writeFileSync(lock, text.replace(/(packages\/web:\n(?:.*\n)*?\s+is-odd:\n\s+specifier: )3\.0\.1(\n\s+version: )3\.0\.1/, '$13.0.0$23.0.0'));
    expect(readFileSync(lock, 'utf8')).not.toBe(text);
    expect((await planOf(copy, 'packages/report')).keyMaterial).toBe(before);
    writeFileSync(lock, text.replace(/ms@2\.1\.3:\n {4}resolution: \{integrity: [^}]+\}/, 'ms@2.1.3:\n    resolution: {integrity: sha512-other}'));
    expect((await planOf(copy, 'packages/report')).keyMaterial).not.toBe(before);
  });
});

describe('a project with its own lockfile', () => {
  it('runs the project\'s pnpm (from the cache volume, hash-checked) for a frozen, hoisted, production install', async () => {
    const project = tempProject({
      'fn/package.json': JSON.stringify({ name: 'fn', packageManager: 'pnpm@10.34.9+sha512.abcd', dependencies: { ms: '2.1.3' } }),
      'fn/pnpm-lock.yaml': "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      ms:\n        specifier: 2.1.3\n        version: 2.1.3\npackages:\n  ms@2.1.3:\n    resolution: {integrity: sha512-x}\nsnapshots:\n  ms@2.1.3: {}\n",
      'fn/.npmrc': '//registry.example/:_authToken=${NPM_TOKEN}\n',
    });
    try {
      const plan = await planOf(project.root, 'fn', arm);
      expect(plan.mode).toBe('project');
      expect(plan.steps).toHaveLength(1);
      expect(plan.steps[0]!.argv).toEqual(['node', '/build/.lambda-pack/pm.mjs',
        JSON.stringify({ kind: 'pnpm', package: 'pnpm', version: '10.34.9', bin: 'pnpm', hash: { algorithm: 'sha512', hex: 'abcd', of: 'tarball' } }),
        'install', '--frozen-lockfile', '--prod', '--config.node-linker=hoisted', '--config.strict-dep-builds=true', '--config.side-effects-cache=false',
        '--config.manage-package-manager-versions=false', '--config.confirm-modules-purge=false', '--reporter=append-only']);
      expect(plan.inputs.map((i) => i.path)).toEqual(['package.json', 'pnpm-lock.yaml', '.npmrc', '.lambda-pack/pm.mjs', '.lambda-pack/prune-platform.mjs']);
      expect(plan.installOnly).toContain('.npmrc');
      expect(plan.keyMaterial).not.toContain('NPM_TOKEN');
    } finally { project.remove(); }
  });

  it('installs nothing, and needs no lockfile, when package.json has no dependencies', async () => {
    const project = tempProject({ 'fn/package.json': JSON.stringify({ name: 'fn', devDependencies: { vitest: '1.0.0' } }), 'fn/index.js': '' });
    try {
      const plan = await planOf(project.root, 'fn');
      expect(plan).toMatchObject({ mode: 'none', steps: [], inputs: [], reason: `${project.root}/fn/package.json has no dependencies to install` });
    } finally { project.remove(); }
  });

  it('asks for a lockfile only when there is something to lock', async () => {
    const project = tempProject({ 'fn/package.json': JSON.stringify({ name: 'fn', dependencies: { ms: '2.1.3' } }) });
    try {
      const error = await planOf(project.root, 'fn').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(/^Function "fn": \S+\/fn has package\.json with dependencies but no lockfile.*there is something to lock here/);
    } finally { project.remove(); }
  });

  it('refuses yarn Plug\'n\'Play, naming .yarnrc.yml and the fix', async () => {
    const project = tempProject({
      'fn/package.json': JSON.stringify({ name: 'fn', packageManager: 'yarn@4.18.1', dependencies: { ms: '2.1.3' } }),
      'fn/yarn.lock': '__metadata:\n  version: 10\n  cacheKey: 10c0\n\n"fn@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "fn@workspace:."\n  dependencies:\n    ms: "npm:2.1.3"\n  languageName: unknown\n  linkType: soft\n\n"ms@npm:2.1.3":\n  version: 2.1.3\n  resolution: "ms@npm:2.1.3"\n  languageName: node\n  linkType: hard\n',
      'fn/.yarnrc.yml': 'enableTelemetry: false\n',
    });
    try {
      const error = await planOf(project.root, 'fn').catch((e: unknown) => e);
      expect((error as ConfigError).code).toBe('YARN_PNP_UNSUPPORTED');
      expect((error as ConfigError).message).toMatch(/^\S+\/fn\/\.yarnrc\.yml: no nodeLinker, so yarn uses Plug'n'Play.*Add "nodeLinker: node-modules" to \S+\/fn\/\.yarnrc\.yml/);
    } finally { project.remove(); }
  });

  it('refuses a lockfile above the function that does not list it as a workspace package', async () => {
    const project = tempProject({ 'package.json': '{"name":"tools"}', 'package-lock.json': '{"lockfileVersion":3,"packages":{"":{}}}', 'fn/package.json': '{"name":"fn","dependencies":{"ms":"2.1.3"}}' });
    try {
      const error = await planOf(project.root, 'fn').catch((e: unknown) => e);
      expect((error as ConfigError).code).toBe('NOT_A_WORKSPACE_MEMBER');
    } finally { project.remove(); }
  });
});

describe('registry settings of a yarn 4 workspace', () => {
  it('reach npm as its user config, translated from .yarnrc.yml, marked as credentials', async () => {
    const copy = copyOf(path.join(REPO, 'fixtures/node-yarn-berry-workspace'));
    writeFileSync(path.join(copy, '.yarnrc.yml'), 'nodeLinker: node-modules\nnpmRegistryServer: "https://npm.example.com"\nnpmAuthToken: "${NPM_TOKEN}"\nnpmScopes:\n  acme:\n    npmRegistryServer: "https://acme.example.com/npm"\n    npmAuthToken: literal-token\n');
    const plan = await planOf(copy, 'packages/fn');
    const npmrc = plan.inputs.find((i) => i.path === '.lambda-pack-npmrc') as { content: string; sensitive?: boolean };
    expect(npmrc.sensitive).toBe(true);
    expect(npmrc.content).toBe('registry=https://npm.example.com\n//npm.example.com/:_authToken=${NPM_TOKEN}\n@acme:registry=https://acme.example.com/npm\n//acme.example.com/npm/:_authToken=literal-token\n');
    expect(plan.env).toEqual({ npm_config_userconfig: '/build/.lambda-pack-npmrc' });
    expect(plan.keyMaterial).not.toContain('literal-token');
  });
});

describe('plan --json', () => {
  it('shows a generated input that may hold credentials by its hash only', async () => {
    const { planJson } = await import('../../src/cli/render.js');
    const plan = { id: 'fn-x86_64', install: { generated: [{ path: '.lambda-pack-npmrc', content: '//r/:_authToken=literal-token\n', sensitive: true }, { path: 'package.json', content: '{}' }] } };
    const printed = JSON.stringify(planJson('/out', [{ plan, decision: { action: 'rebuild', reason: 'not built yet' } }] as never));
    expect(printed).not.toContain('literal-token');
    expect(printed).toMatch(/may hold registry credentials: sha256 [0-9a-f]{64}/);
    expect(printed).toContain('"content":"{}"');
  });

  it('hides it in a cross compile\'s emulated fallback too', async () => {
    const { planJson } = await import('../../src/cli/render.js');
    const install = { generated: [{ path: '.lambda-pack-npmrc', content: '//r/:_authToken=literal-token\n', sensitive: true }] };
    const plan = { id: 'fn-arm64', install, fallback: { id: 'fn-arm64', install } };
    const printed = JSON.stringify(planJson('/out', [{ plan, decision: { action: 'rebuild', reason: 'not built yet' } }] as never));
    expect(printed).not.toContain('literal-token');
    expect(printed.match(/may hold registry credentials/g)).toHaveLength(2);
  });
});
