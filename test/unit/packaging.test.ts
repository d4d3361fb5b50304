import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { zipInputs } from '../../src/package/contents.js';
import { mergeRecords, readManifest, writeManifest, type ArtifactRecord } from '../../src/package/manifest.js';
import { walkSource } from '../../src/package/sources.js';
import { ConfigError } from '../../src/errors.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject;
afterEach(() => project?.remove());

function record(name: string, arch: string, sha = 'a'.repeat(64)): ArtifactRecord {
  return {
    name, kind: 'function', runtime: 'nodejs22.x', runtimes: ['nodejs22.x'], arch, builder: 'npm', path: `${name}-${arch}.zip`,
    zippedBytes: 10, unzippedBytes: 20, entries: 2, sha256: sha, codeSha256: Buffer.from(sha, 'hex').toString('base64'),
    image: 'img', cacheHit: false, strategy: 'native', action: 'rebuild', dependencyKey: 'd', inputKey: 'i', durationMs: 5, findings: [],
  };
}

describe('source walking', () => {
  it('lists files sorted bytewise, skipping VCS data, OS litter and host node_modules', async () => {
    project = tempProject({ 'src/b.js': '', 'src/a.js': '', 'src/Z.js': '', '.git/config': '', '.DS_Store': '', 'node_modules/x/index.js': '', 'lib/node_modules/keep.js': '' });
    const entries = await walkSource(project.root, { artifact: 'fn' });
    expect(entries.map((e) => e.path)).toEqual(['lib', 'lib/node_modules', 'lib/node_modules/keep.js', 'src', 'src/Z.js', 'src/a.js', 'src/b.js']);
  });

  it('keeps a symlink that stays inside the source, stored relative', async () => {
    project = tempProject({ 'real/data.txt': 'x' });
    project.link('alias.txt', path.join(project.root, 'real/data.txt'));
    const entries = await walkSource(project.root, { artifact: 'fn' });
    expect(entries.find((e) => e.path === 'alias.txt')).toMatchObject({ kind: 'symlink', linkTarget: 'real/data.txt' });
  });

  it('refuses a symlink that points outside the source, without following it', async () => {
    project = tempProject({ 'index.js': '' });
    project.link('secret', '/etc/passwd');
    const error = await walkSource(project.root, { artifact: 'fn' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('SYMLINK_OUTSIDE_SOURCE');
    expect((error as ConfigError).message).toContain(path.join(project.root, 'secret'));
  });

  it('refuses a symlink loop', async () => {
    project = tempProject({ 'index.js': '' });
    project.link('a', 'b');
    project.link('b', 'a');
    const error = await walkSource(project.root, { artifact: 'fn' }).catch((e: unknown) => e);
    expect((error as ConfigError).code).toBe('SYMLINK_BROKEN');
    expect((error as ConfigError).message).toContain('loop');
  });
});

describe('zip contents', () => {
  it('merges trees under their prefixes, adds parent directories and drops skipped paths', async () => {
    project = tempProject({ 'src/index.js': '', 'src/.npmrc': 'token', 'src/test/t.js': '', 'deps/a/index.js': '' });
    const source = await walkSource(path.join(project.root, 'src'), { artifact: 'fn' });
    const deps = await walkSource(path.join(project.root, 'deps'), { artifact: 'fn', produced: true });
    const inputs = zipInputs([{ prefix: '', entries: source, skip: ['.npmrc', 'test/**'] }, { prefix: 'nodejs/node_modules', entries: deps }]);
    expect(inputs.map((i) => `${i.kind}:${i.path}`).sort()).toEqual([
      'directory:nodejs', 'directory:nodejs/node_modules', 'directory:nodejs/node_modules/a', 'file:index.js', 'file:nodejs/node_modules/a/index.js',
    ]);
  });
});

describe('manifest', () => {
  it('replaces records of rebuilt artifacts and keeps the others, in a stable order', () => {
    const merged = mergeRecords([record('b', 'x86_64'), record('a', 'arm64', 'b'.repeat(64))], [record('a', 'arm64', 'c'.repeat(64)), record('a', 'x86_64')]);
    expect(merged.map((r) => `${r.name}-${r.arch}:${r.sha256[0]}`)).toEqual(['a-arm64:c', 'a-x86_64:a', 'b-x86_64:a']);
  });

  it('writes every field DESIGN.md lists, with CodeSha256 as base64 of the sha256', async () => {
    project = tempProject();
    const file = await writeManifest(project.root, [record('api', 'arm64')]);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written.version).toBe(1);
    const [r] = written.artifacts;
    for (const field of ['name', 'kind', 'runtime', 'arch', 'path', 'zippedBytes', 'unzippedBytes', 'sha256', 'codeSha256', 'cacheHit', 'durationMs', 'findings']) {
      expect(r).toHaveProperty(field);
    }
    expect(Buffer.from(r.codeSha256, 'base64').toString('hex')).toBe(r.sha256);
    expect((await readManifest(project.root))?.artifacts).toHaveLength(1);
  });
});
