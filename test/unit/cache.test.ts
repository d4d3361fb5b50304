import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DependencyCache } from '../../src/cache/store.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject;
afterEach(() => project?.remove());

function tree(files: Record<string, string>): string {
  const dir = project.dir(`tree-${Math.random().toString(36).slice(2)}`);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

describe('the dependency cache', () => {
  it('returns what was stored under a key, and nothing for other keys', async () => {
    project = tempProject();
    const cache = new DependencyCache(path.join(project.root, 'cache'));
    expect(await cache.get('a'.repeat(64))).toBeUndefined();
    const stored = await cache.put('a'.repeat(64), tree({ 'mod/index.js': 'x' }), 'test');
    expect(await cache.get('a'.repeat(64))).toBe(stored);
    expect(readdirSync(path.join(stored, 'mod'))).toEqual(['index.js']);
    expect(await cache.get('b'.repeat(64))).toBeUndefined();
  });

  it('never reads an entry a crash left half-written', async () => {
    project = tempProject();
    const root = path.join(project.root, 'cache');
    const key = 'c'.repeat(64);
    // What a crash between copying and writing meta.json would leave, had it been in place.
    mkdirSync(path.join(root, 'deps', 'cc', key, 'tree'), { recursive: true });
    expect(await new DependencyCache(root).get(key)).toBeUndefined();
    // And what it leaves in reality: only a temp directory, which no key ever reads.
    mkdirSync(path.join(root, 'tmp', 'cccccccccccc-x'), { recursive: true });
    expect(await new DependencyCache(root).get(key)).toBeUndefined();
  });

  it('lets concurrent runs store the same key safely', async () => {
    project = tempProject();
    const key = 'd'.repeat(64);
    const caches = [1, 2, 3, 4].map(() => new DependencyCache(path.join(project.root, 'cache')));
    const results = await Promise.all(caches.map((c, i) => c.put(key, tree({ 'f.txt': 'same' }), `run ${i}`)));
    expect(new Set(results).size).toBe(1);
    expect(readdirSync(path.join(project.root, 'cache/deps/dd'))).toEqual([key]);
    expect(readdirSync(path.join(project.root, 'cache/tmp'))).toEqual([]);
  });

  it('evicts the least recently used entries beyond its size cap', async () => {
    project = tempProject();
    let clock = 1_000_000_000_000;
    const cache = new DependencyCache(path.join(project.root, 'cache'), 2500, () => { clock += 1000; return new Date(clock); });
    const keys = ['1', '2', '3'].map((c) => c.repeat(64));
    await cache.put(keys[0]!, tree({ f: 'x'.repeat(1000) }), 'one');
    await cache.put(keys[1]!, tree({ f: 'x'.repeat(1000) }), 'two');
    await cache.get(keys[0]!); // one is now more recent than two
    await cache.put(keys[2]!, tree({ f: 'x'.repeat(1000) }), 'three');
    expect(await cache.get(keys[1]!)).toBeUndefined();
    expect(await cache.get(keys[0]!)).toBeDefined();
    expect(await cache.get(keys[2]!)).toBeDefined();
  });

  it('clears everything', async () => {
    project = tempProject();
    const cache = new DependencyCache(path.join(project.root, 'cache'));
    await cache.put('e'.repeat(64), tree({ f: 'x' }), 'x');
    await cache.clear();
    expect(existsSync(cache.root)).toBe(false);
  });
});
