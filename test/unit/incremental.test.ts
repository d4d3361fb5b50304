import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { plan } from '../../src/plan/plan.js';
import { prepareTask } from '../../src/build/prepare.js';
import { decide, keysFor } from '../../src/build/decide.js';
import { DependencyCache } from '../../src/cache/store.js';
import type { ImageResolver, ResolvedImage } from '../../src/docker/images.js';
import type { ArtifactRecord } from '../../src/package/manifest.js';
import { ARCHITECTURES } from '../../src/runtimes.js';
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

const image = (id = 'sha256:aaa'): ResolvedImage => ({ ref: 'img:tag', id, arch: ARCHITECTURES.x86_64 });
const resolver = (found: ResolvedImage | undefined) => ({ peek: async () => found }) as unknown as ImageResolver;

async function keys(arch: 'x86_64' | 'arm64' = 'x86_64', imageId = 'sha256:aaa') {
  const config = await loadConfig({ cwd: project.root });
  const task = plan(config).tasks.find((t) => t.arch.name === arch)!;
  const prepared = await prepareTask(task, {});
  return keysFor(prepared, { ...image(imageId), arch: task.arch });
}

describe('cache keys', () => {
  it('sends only what the install reads: manifests, .npmrc and local packages', async () => {
    makeProject();
    const config = await loadConfig({ cwd: project.root });
    const prepared = await prepareTask(plan(config).tasks[0]!, {});
    expect(prepared.installEntries.map((e) => e.path)).toEqual(['.npmrc', 'native', 'native/binding.gyp', 'native/src', 'native/src/addon.c', 'package-lock.json', 'package.json']);
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

describe('incremental decisions', () => {
  async function setup(found: ResolvedImage | undefined = image()) {
    makeProject();
    const config = await loadConfig({ cwd: project.root });
    const task = plan(config).tasks[0]!;
    const prepared = await prepareTask(task, {});
    const cache = new DependencyCache(path.join(project.root, '.cache'));
    const k = await keysFor(prepared, found);
    const zip = project.file('dist/api-x86_64.zip', 'zip bytes');
    const previous = { inputKey: k.input, dependencyKey: k.dependency, sha256: createHash('sha256').update('zip bytes').digest('hex') } as ArtifactRecord;
    const ctx = { images: resolver(found), cache, previous, output: zip, noCache: false };
    return { prepared, cache, k, ctx, zip };
  }

  it('reuses the zip when nothing changed', async () => {
    const { prepared, ctx } = await setup();
    expect(await decide(prepared, ctx)).toMatchObject({ action: 'reuse', reason: 'nothing changed since the last build' });
  });

  it('rebuilds when the previous zip was changed on disk', async () => {
    const { prepared, ctx, zip } = await setup();
    writeFileSync(zip, 'tampered');
    expect((await decide(prepared, ctx)).action).not.toBe('reuse');
  });

  it('re-packages from the cache when only the source changed, and says so', async () => {
    const { prepared, ctx, cache, k } = await setup();
    await cache.put(k.dependency!, project.dir('deps'), 'test');
    const changed = { ...ctx, previous: { ...ctx.previous, inputKey: 'older' } as ArtifactRecord };
    expect(await decide(prepared, changed)).toMatchObject({ action: 'repackage', reason: 'source changed; dependencies from the cache' });
  });

  it('rebuilds when the dependency inputs changed and nothing is cached', async () => {
    const { prepared, ctx } = await setup();
    const changed = { ...ctx, previous: { ...ctx.previous, inputKey: 'older', dependencyKey: 'older' } as ArtifactRecord };
    expect(await decide(prepared, changed)).toMatchObject({ action: 'rebuild', reason: 'dependency inputs changed (manifest, lockfile, image or build env)' });
  });

  it('rebuilds everything with --no-cache, and when the image is not on the engine yet', async () => {
    const { prepared, ctx } = await setup();
    expect((await decide(prepared, { ...ctx, noCache: true })).reason).toBe('--no-cache');
    expect(await decide(prepared, { ...ctx, images: resolver(undefined) })).toMatchObject({ action: 'rebuild', reason: expect.stringContaining('not on the engine') });
  });
});
