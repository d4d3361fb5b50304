import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { placeTasks, plan } from '../../src/plan/plan.js';
import { decide, type DecisionFacts } from '../../src/plan/action.js';
import { bindKeys } from '../../src/plan/keys.js';
import { taskPlan } from '../../src/plan/task-plan.js';
import type { TaskPlan } from '../../src/plan/types.js';
import { analyzeArtifact } from '../../src/project/analyze.js';
import { fileHash } from '../../src/cache/hash.js';
import type { HostFacts } from '../../src/host.js';
import type { ArtifactRecord } from '../../src/package/manifest.js';
import { ARCHITECTURES } from '../../src/runtimes.js';
import { HOST, hostWith } from '../helpers/host.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject;
afterEach(() => project?.remove());

const CONFIG = 'functions:\n  api: { runtime: nodejs22.x, source: fn, exclude: ["docs/**"], architectures: [x86_64, arm64] }\n';

function makeProject(config = CONFIG) {
  project = tempProject({
    'lambda-pack.config.yaml': config,
    'fn/package.json': '{"name":"fn","version":"1.0.0","dependencies":{"native":"file:native","ms":"2.1.3"}}',
    'fn/package-lock.json': '{"lockfileVersion":3,"packages":{"":{},"node_modules/native":{"resolved":"file:native"}}}',
    'fn/.npmrc': 'install-links=true\n',
    'fn/index.js': 'exports.handler = async () => 1;\n',
    'fn/docs/notes.md': 'notes\n',
    'fn/native/binding.gyp': '{}',
    'fn/native/src/addon.c': 'int x;\n',
  });
}

async function plans(host: HostFacts = HOST): Promise<TaskPlan[]> {
  const config = await loadConfig({ host, cwd: project.root });
  const placed = placeTasks(config, plan(config), {}, ARCHITECTURES.x86_64);
  const analysis = await analyzeArtifact(placed[0]!.artifact, host);
  return placed.map((task) => taskPlan(task, analysis, host));
}

async function keys(arch: 'x86_64' | 'arm64' = 'x86_64', imageId = 'sha256:aaa', host: HostFacts = HOST) {
  return bindKeys((await plans(host)).find((p) => p.arch === arch)!.keys, imageId);
}

describe('cache keys', () => {
  it('sends only what the install reads: manifests, .npmrc and local packages', async () => {
    makeProject();
    const [first] = await plans();
    expect(first!.install!.inputs.map((e) => e.path)).toEqual(['.npmrc', 'native', 'native/binding.gyp', 'native/src', 'native/src/addon.c', 'package-lock.json', 'package.json']);
  });

  it.each([
    ['the lockfile', 'fn/package-lock.json', '{"lockfileVersion":3,"packages":{"":{"x":1}}}'],
    ['package.json', 'fn/package.json', '{"name":"fn","version":"1.0.1","dependencies":{"native":"file:native"}}'],
    ['.npmrc', 'fn/.npmrc', 'install-links=false\n'],
    ["a local package's source", 'fn/native/src/addon.c', 'int y;\n'],
  ])('reinstalls when %s changes', async (_, file, content) => {
    makeProject();
    const before = await keys();
    project.file(file, content);
    const after = await keys();
    expect(after.dependency).not.toBe(before.dependency);
    expect(after.input).not.toBe(before.input);
  });

  it('reinstalls for another image, architecture, runtime or build env', async () => {
    makeProject();
    const base = await keys();
    expect((await keys('x86_64', 'sha256:bbb')).dependency).not.toBe(base.dependency);
    expect((await keys('arm64')).dependency).not.toBe(base.dependency);
    project.file('lambda-pack.config.yaml', CONFIG.replace('nodejs22.x', 'nodejs20.x'));
    expect((await keys()).dependency).not.toBe(base.dependency);
    project.file('lambda-pack.config.yaml', CONFIG.replace('architectures:', 'env: { FOO: bar }, architectures:'));
    expect((await keys()).dependency).not.toBe(base.dependency);
  });

  it("re-packages without reinstalling when only the function's own code changes", async () => {
    makeProject();
    const before = await keys();
    project.file('fn/index.js', 'exports.handler = async () => 2;\n');
    const after = await keys();
    expect(after.dependency).toBe(before.dependency);
    expect(after.input).not.toBe(before.input);
  });

  it('changes nothing when an excluded file changes', async () => {
    makeProject();
    const before = await keys();
    project.file('fn/docs/notes.md', 'other notes\n');
    expect(await keys()).toEqual(before);
  });
});

it('keys the zip by SOURCE_DATE_EPOCH, which sets its timestamps: reuse never keeps bytes another time would change', async () => {
  makeProject();
  const plain = await keys();
  const dated = await keys('x86_64', 'sha256:aaa', hostWith({ ...process.env, SOURCE_DATE_EPOCH: '1600000000' }));
  expect(dated.dependency).toBe(plain.dependency);
  expect(dated.input).not.toBe(plain.input);
  const [planned] = await plans(hostWith({ ...process.env, SOURCE_DATE_EPOCH: '1600000000' }));
  expect(planned!.output.mtime).toBe('2020-09-13T12:26:40.000Z');
  const previous = { inputKey: dated.input, dependencyKey: dated.dependency, sha256: 'x' } as ArtifactRecord;
  const [undated] = await plans();
  expect(decide(undated!, { noCache: false, image: { id: 'sha256:aaa', ref: 'img' }, previous, previousZipSha256: 'x' }).action).not.toBe('reuse');
});

describe('incremental decisions', () => {
  async function setup() {
    makeProject();
    const [planned] = await plans();
    const k = bindKeys(planned!.keys, 'sha256:aaa');
    const zip = project.file('dist/api-x86_64.zip', 'zip bytes');
    const previous = { inputKey: k.input, dependencyKey: k.dependency, sha256: createHash('sha256').update('zip bytes').digest('hex') } as ArtifactRecord;
    const facts: DecisionFacts = { noCache: false, image: { id: 'sha256:aaa', ref: 'img:tag' }, previous, previousZipSha256: await fileHash(zip) };
    return { planned: planned!, k, facts, zip };
  }

  it('reuses the zip when nothing changed', async () => {
    const { planned, facts } = await setup();
    expect(decide(planned, facts)).toMatchObject({ action: 'reuse', reason: 'nothing changed since the last build' });
  });

  it('rebuilds when the previous zip was changed on disk', async () => {
    const { planned, facts, zip } = await setup();
    writeFileSync(zip, 'tampered');
    expect(decide(planned, { ...facts, previousZipSha256: await fileHash(zip) }).action).not.toBe('reuse');
  });

  it('re-packages from the cache when only the source changed, and says so', async () => {
    const { planned, facts } = await setup();
    const changed = { ...facts, previous: { ...facts.previous, inputKey: 'older' } as ArtifactRecord, cachedDependencies: path.join(project.root, 'cached') };
    expect(decide(planned, changed)).toMatchObject({ action: 'repackage', reason: 'source changed; dependencies from the cache', cachedDependencies: path.join(project.root, 'cached') });
  });

  it('rebuilds when the dependency inputs changed and nothing is cached', async () => {
    const { planned, facts } = await setup();
    const changed = { ...facts, previous: { ...facts.previous, inputKey: 'older', dependencyKey: 'older' } as ArtifactRecord };
    expect(decide(planned, changed)).toMatchObject({ action: 'rebuild', reason: 'dependency inputs changed (manifest, lockfile, image or build env)' });
  });

  it('rebuilds everything with --no-cache, and when the image is not on the engine yet', async () => {
    const { planned, facts } = await setup();
    expect(decide(planned, { ...facts, noCache: true })).toMatchObject({ reason: '--no-cache', noCache: true });
    expect(decide(planned, { ...facts, image: undefined })).toMatchObject({ action: 'rebuild', reason: expect.stringContaining('not on the engine') });
  });
});
