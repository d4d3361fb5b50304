// Package-level checks: entry point, permissions, paths, handler, sizes, layer layout. Each code on
// a true positive and on its near miss.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { architecture, LIMITS, runtime } from '../../src/runtimes.js';
import { verifyZip, type Finding, type VerifyOptions } from '../../src/verify/index.js';
import { corpusDir, corpusFile, makeZip, type ZipSpecEntry } from '../verify-corpus/corpus.js';

beforeAll(() => void corpusDir(), 15 * 60_000);

async function findings(entries: ZipSpecEntry[] | string, rt: string, extra: Partial<VerifyOptions> = {}): Promise<Finding[]> {
  const zip = typeof entries === 'string' ? entries : makeZip(entries);
  return (await verifyZip(zip, { runtime: runtime(rt), arch: architecture('x86_64'), ...extra })).findings;
}

const codes = (list: Finding[]): string[] => list.map((f) => f.code);
const script: ZipSpecEntry = { name: 'bootstrap', text: '#!/bin/sh\nexec ./app\n', mode: 0o755 };
const scratch = mkdtempSync(join(tmpdir(), 'lambda-pack-verify-package-'));
const openAndClose = (path: string): string => {
  closeSync(openSync(path, 'w'));
  return path;
};

describe('BOOTSTRAP_MISSING', () => {
  it('flags a provided.al2023 zip whose bootstrap is not at the root, and names where it is', async () => {
    const list = await findings([{ ...script, name: 'target/lambda/app/bootstrap' }], 'provided.al2023');
    expect(list).toEqual([expect.objectContaining({ code: 'BOOTSTRAP_MISSING', path: 'bootstrap' })]);
    expect(list[0]!.message).toContain('target/lambda/app/bootstrap');
  });

  it('accepts bootstrap at the root, from a layer, and does not ask layers or other runtimes for one', async () => {
    expect(await findings([script], 'provided.al2023')).toEqual([]);
    expect(await findings([{ name: 'handler.sh', text: 'x' }], 'provided.al2', { layers: [makeZip([script])] })).toEqual([]);
    expect(await findings([{ name: 'bin/tool', text: 'x', mode: 0o755 }], 'provided.al2023', { layer: true })).toEqual([]);
    expect(await findings([{ name: 'index.js', text: 'x' }], 'nodejs22.x')).toEqual([]);
  });
});

describe('NOT_EXECUTABLE', () => {
  it('flags a bootstrap without the exec bit, or zipped without Unix modes', async () => {
    const plain = await findings([{ ...script, mode: 0o644 }], 'provided.al2023');
    expect(plain).toEqual([expect.objectContaining({ code: 'NOT_EXECUTABLE', path: 'bootstrap' })]);
    expect(plain[0]!.message).toContain('0644');
    expect(codes(await findings([{ ...script, mode: 0o744 }], 'provided.al2023'))).toEqual(['NOT_EXECUTABLE']);
    const windows = await findings([{ ...script, unix: false }], 'provided.al2023');
    expect(windows[0]!.message).toContain('no Unix mode');
  });

  it('follows a bootstrap symlink to its target\'s mode', async () => {
    expect(await findings([{ name: 'bootstrap', symlink: 'bin/app' }, { name: 'bin/app', text: '#!/bin/sh\n', mode: 0o755 }], 'provided.al2023')).toEqual([]);
    expect(codes(await findings([{ name: 'bootstrap', symlink: 'bin/app' }, { name: 'bin/app', text: '#!/bin/sh\n', mode: 0o644 }], 'provided.al2023'))).toEqual(['NOT_EXECUTABLE']);
  });

  it('flags files in a layer\'s bin/ that are not executable, with a real esbuild binary', async () => {
    const esbuild = corpusFile('npm/esbuild-linux-x64', /^package\/bin\/esbuild$/);
    const bad = await findings([{ name: 'bin/esbuild', file: esbuild, mode: 0o644 }], 'nodejs22.x', { layer: true });
    expect(bad).toEqual([expect.objectContaining({ code: 'NOT_EXECUTABLE', path: 'bin/esbuild' })]);
    expect(await findings([{ name: 'bin/esbuild', file: esbuild, mode: 0o755 }], 'nodejs22.x', { layer: true })).toEqual([]);
  });
});

describe('UNREADABLE_FILE', () => {
  it('flags files without o+r and directories without o+rx', async () => {
    const list = await findings([
      { name: 'index.js', text: 'x', mode: 0o600 },
      { name: 'private/', dir: true, mode: 0o700 },
      { name: 'private/data.json', text: '{}', mode: 0o644 },
    ], 'nodejs22.x');
    expect(list.map((f) => [f.code, f.path])).toEqual([['UNREADABLE_FILE', 'index.js'], ['UNREADABLE_FILE', 'private/']]);
    expect(list[0]!.message).toContain('0600');
  });

  it('accepts 0644 files and 0755 directories, and zips without Unix modes', async () => {
    expect(await findings([{ name: 'index.js', text: 'x', mode: 0o644 }, { name: 'lib/', dir: true, mode: 0o755 }, { name: 'a.js', text: 'x', unix: false }], 'nodejs22.x')).toEqual([]);
  });
});

describe('UNSAFE_PATH', () => {
  it('flags .. segments, absolute names, backslashes and symlinks out of the package', async () => {
    const list = await findings([
      { name: '../escape.js', text: 'x' },
      { name: '/etc/cron.d/x', text: 'x' },
      { name: 'dir\\file.js', text: 'x' },
      { name: 'link-up', symlink: '../../etc/passwd' },
      { name: 'link-abs', symlink: '/etc/passwd' },
    ], 'nodejs22.x');
    expect(list.map((f) => f.path).sort()).toEqual(['../escape.js', '/etc/cron.d/x', 'dir\\file.js', 'link-abs', 'link-up']);
    expect(new Set(codes(list))).toEqual(new Set(['UNSAFE_PATH']));
  });

  it('accepts relative names and symlinks that stay inside (also absolute ones into /var/task)', async () => {
    expect(await findings([
      { name: 'dir/file.js', text: 'x' },
      { name: 'lib/libx.so.1', symlink: 'libx.so.1.0' },
      { name: 'lib/libx.so.1.0', text: 'x' },
      { name: 'current', symlink: '/var/task/dir' },
      { name: 'up-and-in', symlink: 'dir/../lib' },
    ], 'nodejs22.x')).toEqual([]);
  });
});

describe('HANDLER_NOT_FOUND', () => {
  it.each([
    ['nodejs22.x', 'index.handler', 'index.mjs'],
    ['nodejs22.x', 'src/app.handler', 'src/app.cjs'],
    ['nodejs20.x', 'index.handler', 'index.js'],
    ['nodejs20.x', 'api.handlers.get', 'api.js'],
    ['python3.12', 'app.handler', 'app.py'],
    ['python3.12', 'pkg/mod.fn', 'pkg/mod.py'],
    ['python3.12', 'pkg.mod.fn', 'pkg/mod.py'],
    ['python3.12', 'svc.handler', 'svc/__init__.py'],
  ])('%s finds handler %s in %s', async (rt, handler, name) => {
    expect(await findings([{ name, text: 'x' }], rt, { handler })).toEqual([]);
  });

  it.each([
    ['nodejs22.x', 'index.handler', 'main.js', 'index'],
    ['nodejs22.x', 'index.handler', 'index.ts', 'index'],
    ['python3.12', 'app.handler', 'App.py', 'app'],
    ['python3.12', 'pkg.mod.fn', 'mod.py', 'pkg/mod'],
  ])('%s reports handler %s missing when the zip has only %s', async (rt, handler, name, module) => {
    const list = await findings([{ name, text: 'x' }], rt, { handler });
    expect(list).toEqual([expect.objectContaining({ code: 'HANDLER_NOT_FOUND' })]);
    expect(list[0]!.message).toContain(`"${module}"`);
  });

  it('finds a Python handler module in a layer, and does not check layers or provided runtimes', async () => {
    const layer = makeZip([{ name: 'python/shared_handler.py', text: 'x' }]);
    expect(await findings([{ name: 'readme.txt', text: 'x' }], 'python3.12', { handler: 'shared_handler.main', layers: [layer] })).toEqual([]);
    expect(await findings([{ name: 'python/x.py', text: 'x' }], 'python3.12', { handler: 'app.handler', layer: true })).toEqual([]);
    expect(await findings([script], 'provided.al2023', { handler: 'whatever.you.like' })).toEqual([]);
  });
});

describe('sizes', () => {
  it('UNZIPPED_TOO_LARGE counts the function plus its layers; each alone fits', async () => {
    const half = Math.floor(LIMITS.unzippedBytes / 2) + 1;
    const zeros = join(scratch, 'zeros.bin');
    truncateSync(openAndClose(zeros), half);
    const big = makeZip([{ name: 'data/blob.bin', file: zeros }]);
    expect(await findings(big, 'nodejs22.x')).toEqual([]);
    const list = await findings(big, 'nodejs22.x', { layers: [big] });
    expect(list).toEqual([expect.objectContaining({ code: 'UNZIPPED_TOO_LARGE', severity: 'error', path: '' })]);
    expect(list[0]!.message).toContain(String(LIMITS.unzippedBytes));
  });

  it('ZIPPED_TOO_LARGE_FOR_DIRECT_UPLOAD warns over 50 MiB zipped, not under', async () => {
    const blob = join(scratch, 'random.bin');
    writeFileSync(blob, randomBytes(LIMITS.zippedDirectUploadBytes - 1024 * 1024));
    const under = makeZip([{ name: 'blob.bin', file: blob, store: true }]);
    expect(await findings(under, 'nodejs22.x')).toEqual([]);
    const over = makeZip([{ name: 'blob.bin', file: blob, store: true }, { name: 'blob2.bin', file: blob, store: true }]);
    const list = await findings(over, 'nodejs22.x');
    expect(list).toEqual([expect.objectContaining({ code: 'ZIPPED_TOO_LARGE_FOR_DIRECT_UPLOAD', severity: 'warning' })]);
  });
});

describe('layer layout and unreadable entries', () => {
  it('OUTSIDE_LAYER_PATHS warns about content the runtime will not look at, once per prefix', async () => {
    const list = await findings([
      { name: 'node_modules/a/index.js', text: 'x' },
      { name: 'node_modules/b/index.js', text: 'x' },
      { name: 'nodejs/node_modules/c/index.js', text: 'x' },
      { name: 'nodejs/node20/node_modules/d/index.js', text: 'x' },
    ], 'nodejs22.x', { layer: true });
    expect(list.map((f) => [f.code, f.path])).toEqual([['OUTSIDE_LAYER_PATHS', 'node_modules'], ['OUTSIDE_LAYER_PATHS', 'nodejs/node20']]);
    expect(list[0]!.message).toContain('2 entries');
  });

  it('OUTSIDE_LAYER_PATHS catches a site-packages for another Python, not the right one', async () => {
    const entries: ZipSpecEntry[] = [{ name: 'python/lib/python3.11/site-packages/yaml/__init__.py', text: 'x' }];
    expect(codes(await findings(entries, 'python3.12', { layer: true }))).toEqual(['OUTSIDE_LAYER_PATHS']);
    expect(await findings(entries, 'python3.11', { layer: true })).toEqual([]);
  });

  it('UNCHECKED_ENTRY warns about an entry it cannot decompress (bzip2), not about deflate ones', async () => {
    const zip = join(scratch, 'bzip2.zip');
    execFileSync('python3', ['-c', 'import zipfile,sys\nwith zipfile.ZipFile(sys.argv[1],"w",zipfile.ZIP_BZIP2) as z: i=zipfile.ZipInfo("lib/data.bin"); i.compress_type=zipfile.ZIP_BZIP2; i.create_system=3; i.external_attr=0o100644<<16; z.writestr(i, b"\\x7fELF" + b"x"*100)', zip]);
    expect(await findings(zip, 'nodejs22.x')).toEqual([expect.objectContaining({ code: 'UNCHECKED_ENTRY', severity: 'warning', path: 'lib/data.bin' })]);
    expect(await findings([{ name: 'lib/data.bin', text: 'x'.repeat(100) }], 'nodejs22.x')).toEqual([]);
  });
});
