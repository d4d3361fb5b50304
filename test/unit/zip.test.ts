import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, readlink, rm, stat, unlink, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { writeZip, type ZipInput } from '../../src/zip/write.js';
import { zipTimeFrom } from '../../src/host.js';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'zip-writer-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface InspectedEntry {
  name: string;
  externalAttr: number;
  createSystem: number;
  createVersion: number;
  flags: number;
  method: number;
  dateTime: number[];
  centralExtra: string;
  size: number;
  compressedSize: number;
  crc: number;
  local: { flags: number; method: number; crc: number; csize: number; usize: number; extraLength: number; time: number; date: number };
  content: string;
}

// Python's zipfile reads the central directory; the local headers are unpacked by hand to check they agree.
const INSPECT = String.raw`
import base64, json, struct, sys, zipfile
path = sys.argv[1]
raw = open(path, 'rb').read()
out = {'entries': []}
with zipfile.ZipFile(path) as z:
    out['bad'] = z.testzip()
    for i in z.infolist():
        sig, ver, flags, method, t, d, crc, csize, usize, nlen, elen = struct.unpack('<IHHHHHIIIHH', raw[i.header_offset:i.header_offset + 30])
        out['entries'].append({
            'name': i.filename, 'externalAttr': i.external_attr, 'createSystem': i.create_system,
            'createVersion': i.create_version, 'flags': i.flag_bits, 'method': i.compress_type,
            'dateTime': list(i.date_time), 'centralExtra': i.extra.hex(), 'size': i.file_size,
            'compressedSize': i.compress_size, 'crc': i.CRC,
            'local': {'flags': flags, 'method': method, 'crc': crc, 'csize': csize, 'usize': usize, 'extraLength': elen, 'time': t, 'date': d},
            'content': base64.b64encode(z.read(i)).decode(),
        })
sys.stdout.write(json.dumps(out))
`;

async function inspect(zipPath: string): Promise<{ bad: string | null; entries: InspectedEntry[] }> {
  const { stdout } = await run('python3', ['-c', INSPECT, zipPath], { maxBuffer: 256 << 20 });
  return JSON.parse(stdout);
}

function contentOf(entry: InspectedEntry | undefined): Buffer {
  return Buffer.from(entry?.content ?? '', 'base64');
}

/** `unzip -Z -l` lines, keyed by entry name: "-rw-r--r--  2.0 unx  5 tx  5 stor 80-Jan-01 00:00 a.txt" */
async function zipinfo(zipPath: string): Promise<Map<string, string>> {
  const { stdout } = await run('unzip', ['-Z', '-l', zipPath]);
  const lines = stdout.split('\n').filter((line) => /^[-dl][rwx-]{9} /.test(line));
  return new Map(lines.map((line) => [line.split(/\s+/).slice(9).join(' '), line]));
}

async function tempFilesIn(directory: string): Promise<string[]> {
  return (await readdir(directory)).filter((name) => name.includes('.tmp-'));
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function sha256Of(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

function text(value: string): Uint8Array {
  return Buffer.from(value, 'utf8');
}

/** Compressible text that deflate does not finish instantly. */
function sourceCode(bytes: number, seed = 0): Buffer {
  const lines: string[] = [];
  for (let size = 0, index = seed; size < bytes; index++) {
    const line = `export function handler${index}(event) { return { statusCode: ${(index * 7919) % 599}, body: JSON.stringify(event.k${index % 97}) }; }\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, bytes);
}

/** A mixed tree: directories, small and large files (a large one spans several deflate chunks), symlink, executable, empty. */
async function mixedTree(): Promise<ZipInput[]> {
  const large = path.join(dir, 'large.js');
  await writeFile(large, sourceCode(3.5 * 2 ** 20));
  const noise = path.join(dir, 'noise.bin');
  await writeFile(noise, randomBytes(2.5 * 2 ** 20));
  const small = path.join(dir, 'small.js');
  await writeFile(small, sourceCode(4000, 3));
  const empty = path.join(dir, 'empty');
  await writeFile(empty, '');
  return [
    { path: 'lib', kind: 'directory' },
    { path: 'lib/large.js', kind: 'file', source: large },
    { path: 'lib/noise.bin', kind: 'file', source: noise },
    { path: 'index.js', kind: 'file', source: small },
    { path: 'empty', kind: 'file', source: empty },
    { path: 'bootstrap', kind: 'file', content: text('#!/bin/sh\nexec node index.js\n'), executable: true },
    { path: 'current', kind: 'symlink', linkTarget: 'lib/large.js' },
    { path: 'manifest.json', kind: 'file', content: text('{"name":"fn"}\n') },
  ];
}

describe('writeZip', () => {
  it('orders entries bytewise by UTF-8 stored name whatever the input order', async () => {
    const inputs: ZipInput[] = [
      { path: 'é', kind: 'file', content: text('e') },
      { path: 'b', kind: 'file', content: text('b') },
      { path: 'a/b', kind: 'file', content: text('ab') },
      { path: 'a0', kind: 'file', content: text('a0') },
      { path: 'a', kind: 'directory' },
      { path: 'B', kind: 'file', content: text('B') },
      { path: 'a-b', kind: 'file', content: text('a-b') },
    ];
    const forward = await writeZip(inputs, path.join(dir, 'forward.zip'), { concurrency: 1 });
    const reversed = await writeZip([...inputs].reverse(), path.join(dir, 'reversed.zip'), { concurrency: 1 });

    const { entries } = await inspect(forward.path);
    expect(entries.map((entry) => entry.name)).toEqual(['B', 'a-b', 'a/', 'a/b', 'a0', 'b', 'é']);
    expect(reversed.sha256).toBe(forward.sha256);
    expect(await readFile(reversed.path)).toEqual(await readFile(forward.path));
  });

  it('lists exactly the directories given, each with a trailing slash', async () => {
    const result = await writeZip(
      [
        { path: 'nodejs', kind: 'directory' },
        { path: 'nodejs/node_modules/left-pad/index.js', kind: 'file', content: text('module.exports = 1;\n') },
      ],
      path.join(dir, 'layer.zip'),
      { concurrency: 1 },
    );
    const { entries } = await inspect(result.path);
    expect(entries.map((entry) => entry.name)).toEqual(['nodejs/', 'nodejs/node_modules/left-pad/index.js']);
    expect(result.entries).toBe(2);
  });

  it('records Unix modes: files 0644, executables 0755, directories 0755, symlinks 0777, made by Unix 2.0', async () => {
    const result = await writeZip(await mixedTree(), path.join(dir, 'modes.zip'));
    const byName = new Map((await inspect(result.path)).entries.map((entry) => [entry.name, entry]));
    expect(byName.get('index.js')?.externalAttr).toBe((0o100644 << 16) >>> 0);
    expect(byName.get('bootstrap')?.externalAttr).toBe((0o100755 << 16) >>> 0);
    expect(byName.get('lib/')?.externalAttr).toBe(((0o040755 << 16) | 0x10) >>> 0);
    expect(byName.get('current')?.externalAttr).toBe((0o120777 << 16) >>> 0);
    for (const entry of byName.values()) {
      expect([entry.createSystem, entry.createVersion]).toEqual([3, 20]);
    }

    const listing = await zipinfo(result.path);
    expect(listing.get('index.js')).toMatch(/^-rw-r--r-- +2\.0 unx /);
    expect(listing.get('bootstrap')).toMatch(/^-rwxr-xr-x +2\.0 unx /);
    expect(listing.get('lib/')).toMatch(/^drwxr-xr-x +2\.0 unx /);
    expect(listing.get('current')).toMatch(/^lrwxrwxrwx +2\.0 unx /);
  });

  it('extracts symlinks as symlinks to their target and executables as executable', async () => {
    const result = await writeZip(await mixedTree(), path.join(dir, 'links.zip'));
    const extracted = path.join(dir, 'extracted');
    await run('unzip', ['-q', result.path, '-d', extracted]);
    expect(await readlink(path.join(extracted, 'current'))).toBe('lib/large.js');
    expect((await stat(path.join(extracted, 'bootstrap'))).mode & 0o777).toBe(0o755);
    expect((await stat(path.join(extracted, 'index.js'))).mode & 0o777).toBe(0o644);
  });

  it('round-trips names with spaces, unicode and a newline, flagging only non-ASCII names as UTF-8', async () => {
    const names = ['with space.txt', 'ünïcödé/日本語.txt', 'line\nbreak.txt', 'plain.txt'];
    const result = await writeZip(
      names.map((name) => ({ path: name, kind: 'file' as const, content: text(`content of ${name}`) })),
      path.join(dir, 'names.zip'),
      { concurrency: 1 },
    );
    const { bad, entries } = await inspect(result.path);
    expect(bad).toBeNull();
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    for (const name of names) {
      expect(contentOf(byName.get(name)).toString()).toBe(`content of ${name}`);
    }
    expect(byName.get('ünïcödé/日本語.txt')?.flags).toBe(0x800);
    expect(byName.get('with space.txt')?.flags).toBe(0);
    expect(byName.get('line\nbreak.txt')?.flags).toBe(0);
  });

  it('round-trips contents with valid CRCs, storing what deflate does not shrink', async () => {
    const inputs = await mixedTree();
    const result = await writeZip(inputs, path.join(dir, 'contents.zip'));
    const { bad, entries } = await inspect(result.path);
    expect(bad).toBeNull();
    const { stdout } = await run('unzip', ['-t', result.path]);
    expect(stdout).toContain('No errors detected');

    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    for (const input of inputs.filter((input) => input.kind === 'file')) {
      const expected = input.content ?? (await readFile(input.source!));
      expect(contentOf(byName.get(input.path)).equals(Buffer.from(expected)), input.path).toBe(true);
    }
    expect(contentOf(byName.get('current')).toString()).toBe('lib/large.js');
    const methods = Object.fromEntries(entries.map((entry) => [entry.name, entry.method]));
    expect(methods).toMatchObject({ empty: 0, 'lib/': 0, current: 0, 'lib/noise.bin': 0, 'lib/large.js': 8, 'index.js': 8 });
    expect(result.unzippedBytes).toBe(entries.reduce((sum, entry) => sum + entry.size, 0));
  });

  it('writes no extra fields and no data descriptors: local headers carry the final CRC and sizes', async () => {
    const result = await writeZip(await mixedTree(), path.join(dir, 'headers.zip'));
    for (const entry of (await inspect(result.path)).entries) {
      expect(entry.centralExtra, entry.name).toBe('');
      expect(entry.local.extraLength, entry.name).toBe(0);
      expect(entry.local.flags & 0x8, entry.name).toBe(0);
      expect(entry.local, entry.name).toMatchObject({
        flags: entry.flags,
        method: entry.method,
        crc: entry.crc,
        csize: entry.compressedSize,
        usize: entry.size,
      });
    }
  });

  it('writes byte-identical zips at concurrency 1, 2 and 4 and across runs', async () => {
    const inputs = await mixedTree();
    const results = [];
    for (const [run, concurrency] of [1, 2, 4, 2].entries()) {
      results.push(await writeZip(inputs, path.join(dir, `run${run}-c${concurrency}.zip`), { concurrency }));
    }
    const hashes = await Promise.all(results.map((result) => sha256Of(result.path)));
    expect(new Set(hashes).size).toBe(1);
    expect(results.map((result) => result.sha256)).toEqual(hashes);
    expect(results[0]!.codeSha256).toBe(Buffer.from(hashes[0]!, 'hex').toString('base64'));
    expect(results[0]!.bytes).toBe((await stat(results[0]!.path)).size);
  });

  describe('timestamps', () => {
    const saved = { TZ: process.env['TZ'], SOURCE_DATE_EPOCH: process.env['SOURCE_DATE_EPOCH'] };
    afterEach(() => {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    async function dateTimes(options: Parameters<typeof writeZip>[2] = {}): Promise<number[][]> {
      const result = await writeZip(
        [
          { path: 'a', kind: 'directory' },
          { path: 'a/b.txt', kind: 'file', content: text('b') },
        ],
        path.join(dir, `${Math.random()}.zip`),
        { concurrency: 1, ...options },
      );
      return (await inspect(result.path)).entries.map((entry) => entry.dateTime);
    }

    it('stamps every entry 1980-01-01 00:00:00 by default', async () => {
      delete process.env['SOURCE_DATE_EPOCH'];
      expect(await dateTimes()).toEqual([
        [1980, 1, 1, 0, 0, 0],
        [1980, 1, 1, 0, 0, 0],
      ]);
    });

    it('encodes the UTC fields of mtime whatever the local time zone, rounding seconds down to even', async () => {
      process.env['TZ'] = 'Pacific/Kiritimati'; // UTC+14: local fields would fall on the next day
      expect(await dateTimes({ mtime: new Date('2024-05-06T23:08:09Z') })).toEqual([
        [2024, 5, 6, 23, 8, 8],
        [2024, 5, 6, 23, 8, 8],
      ]);
    });

    it('never reads SOURCE_DATE_EPOCH itself: the plan passes the time (and keys it)', async () => {
      process.env['SOURCE_DATE_EPOCH'] = '1700000000';
      expect((await dateTimes())[0]).toEqual([1980, 1, 1, 0, 0, 0]);
    });

    it('reads SOURCE_DATE_EPOCH as the plan does: clamped to 1980, a malformed one refused', async () => {
      expect(await dateTimes({ mtime: zipTimeFrom('1700000000') })).toEqual([[2023, 11, 14, 22, 13, 20], [2023, 11, 14, 22, 13, 20]]);
      expect(zipTimeFrom('86400')).toEqual(new Date(Date.UTC(1980, 0, 1)));
      expect(zipTimeFrom(undefined)).toEqual(new Date(Date.UTC(1980, 0, 1)));
      expect(() => zipTimeFrom('yesterday')).toThrow(ConfigError);
      expect(() => zipTimeFrom('yesterday')).toThrow(expect.objectContaining({ code: 'INVALID_SOURCE_DATE_EPOCH' }));
    });
  });

  it('writes ZIP64 end records for more than 65535 entries, readable by python and unzip', async () => {
    const count = 70_000;
    // Mostly empty files, so that the test spends its time on the entry count rather than on deflate.
    const inputs: ZipInput[] = Array.from({ length: count }, (_, index) => ({
      path: `f/${index.toString(36)}`,
      kind: 'file',
      content: index % 1000 === 0 ? text(`file ${index} `.repeat(10)) : new Uint8Array(0),
    }));
    const result = await writeZip(inputs, path.join(dir, 'many.zip'), { concurrency: 2 });
    expect(result.entries).toBe(count);

    const summary = "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); n = [i.filename for i in z.infolist()]; print(len(n), n == sorted(n), z.testzip())";
    const { stdout: python } = await run('python3', ['-c', summary, result.path]);
    expect(python.trim()).toBe(`${count} True None`);
    const { stdout } = await run('unzip', ['-Z', '-h', result.path]);
    expect(stdout).toContain(`number of entries: ${count}`);

    const zip = await readFile(result.path);
    const end = zip.subarray(zip.length - 22);
    expect(end.readUInt32LE(0)).toBe(0x06054b50);
    expect(end.readUInt16LE(10)).toBe(0xffff);
    const locator = zip.subarray(zip.length - 42, zip.length - 22);
    expect(locator.readUInt32LE(0)).toBe(0x07064b50);
    const zip64End = zip.subarray(Number(locator.readBigUInt64LE(8)));
    expect(zip64End.readUInt32LE(0)).toBe(0x06064b50);
    expect(zip64End.readBigUInt64LE(32)).toBe(BigInt(count));
  });

  describe('rejects invalid inputs before writing anything', () => {
    it.each([
      ['an absolute path', '/etc/passwd'],
      ['a .. segment', 'a/../b'],
      ['a bare ..', '..'],
      ['a . segment', './a'],
      ['a backslash', 'a\\b'],
      ['an empty path', ''],
      ['an empty segment', 'a//b'],
      ['a trailing slash', 'dir/'],
      ['a NUL byte', 'a\0b'],
      ['a lone surrogate', 'a\ud800'],
    ])('%s', async (_, badPath) => {
      const out = path.join(dir, 'bad.zip');
      const attempt = writeZip([{ path: badPath, kind: 'file', content: text('x') }], out);
      await expect(attempt).rejects.toMatchObject({ code: 'ZIP_INVALID_INPUT' });
      expect(await readdir(dir)).toEqual([]);
    });

    it.each<[string, ZipInput[]]>([
      ['a duplicate path', [{ path: 'a', kind: 'file', content: text('1') }, { path: 'a', kind: 'directory' }]],
      ['a file with neither source nor content', [{ path: 'a', kind: 'file' }]],
      ['a file with both source and content', [{ path: 'a', kind: 'file', content: text('1'), source: '/etc/hostname' }]],
      ['a relative source', [{ path: 'a', kind: 'file', source: 'relative/file' }]],
      ['a symlink without target', [{ path: 'a', kind: 'symlink' }]],
      ['a directory with content', [{ path: 'a', kind: 'directory', content: text('1') }]],
    ])('%s', async (_, inputs) => {
      await expect(writeZip(inputs, path.join(dir, 'bad.zip'))).rejects.toMatchObject({ code: 'ZIP_INVALID_INPUT' });
      expect(await readdir(dir)).toEqual([]);
    });
  });

  describe('failure and abort leave no temp file and keep the previous zip', () => {
    async function previousZip(): Promise<string> {
      const out = path.join(dir, 'out', 'function.zip');
      await mkdir(path.dirname(out));
      await writeFile(out, 'previous zip');
      return out;
    }

    async function expectUntouched(out: string): Promise<void> {
      expect(await readFile(out, 'utf8')).toBe('previous zip');
      expect(await tempFilesIn(path.dirname(out))).toEqual([]);
    }

    /** Enough text that deflating it takes several hundred milliseconds even on two fast cores. */
    let slowText: Buffer | undefined;
    async function slowSource(name: string): Promise<string> {
      slowText ??= sourceCode(24 * 2 ** 20);
      const file = path.join(dir, name);
      await writeFile(file, slowText);
      return file;
    }

    async function tempFileAppeared(out: string): Promise<void> {
      await waitFor(async () => (await tempFilesIn(path.dirname(out))).length > 0);
    }

    it.each([1, 2])('abort while compressing at concurrency %i rejects within a second', async (concurrency) => {
      const big = await slowSource('big.js');
      const out = await previousZip();
      const controller = new AbortController();
      const zipping = writeZip([{ path: 'big.js', kind: 'file', source: big }], out, { concurrency, signal: controller.signal });
      zipping.catch(() => undefined);
      await tempFileAppeared(out);
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort();
      const abortedAt = Date.now();
      await expect(zipping).rejects.toMatchObject({ name: 'AbortError' });
      expect(Date.now() - abortedAt).toBeLessThan(1000);
      await expectUntouched(out);
    });

    it('an already aborted signal rejects without creating a temp file', async () => {
      const out = await previousZip();
      const attempt = writeZip([{ path: 'a', kind: 'file', content: text('a') }], out, { signal: AbortSignal.abort() });
      await expect(attempt).rejects.toMatchObject({ name: 'AbortError' });
      await expectUntouched(out);
    });

    it('a missing source rejects as unreadable', async () => {
      const out = await previousZip();
      const attempt = writeZip([{ path: 'gone', kind: 'file', source: path.join(dir, 'does-not-exist') }], out);
      await expect(attempt).rejects.toMatchObject({ kind: 'external', code: 'ZIP_SOURCE_UNREADABLE' });
      await expectUntouched(out);
    });

    it('a source deleted while zipping rejects as unreadable', async () => {
      const big = await slowSource('big.js');
      const late = path.join(dir, 'zz-late.txt');
      await writeFile(late, 'read after the big file');
      const out = await previousZip();
      const zipping = writeZip(
        [
          { path: 'big.js', kind: 'file', source: big },
          { path: 'zz-late.txt', kind: 'file', source: late },
        ],
        out,
        { concurrency: 2 },
      );
      zipping.catch(() => undefined);
      // The window of chunks in flight keeps zz-late.txt untouched until most of big.js is done.
      await tempFileAppeared(out);
      await unlink(late);
      await expect(zipping).rejects.toMatchObject({ kind: 'external', code: 'ZIP_SOURCE_UNREADABLE', message: expect.stringContaining('zz-late.txt') });
      await expectUntouched(out);
    });

    // sysfs files claim 4096 bytes and hold a few: the read in the deflate task comes up short.
    const shortFile = '/sys/devices/system/cpu/online';
    it.each([1, 2])('a source shorter than measured rejects as changed at concurrency %i', async (concurrency) => {
      const out = await previousZip();
      const attempt = writeZip([{ path: 'online', kind: 'file', source: shortFile }], out, { concurrency });
      await expect(attempt).rejects.toMatchObject({ kind: 'external', code: 'ZIP_SOURCE_CHANGED' });
      await expectUntouched(out);
    });
  });

  it('runs its worker threads from the compiled build as well as from source', async () => {
    const build = path.join(dir, 'build');
    execFileSync(path.join(repoRoot, 'node_modules/.bin/tsc'), ['-p', path.join(repoRoot, 'tsconfig.build.json'), '--outDir', build, '--declaration', 'false', '--sourceMap', 'false'], { cwd: repoRoot });
    await writeFile(path.join(build, 'package.json'), '{"type":"module"}');
    const inputs = await mixedTree();
    const fromSource = await writeZip(inputs, path.join(dir, 'from-source.zip'), { concurrency: 2 });

    const script = `
      const { writeZip } = await import(process.argv[1]);
      const inputs = JSON.parse(process.argv[2], (key, value) => (key === 'content' ? Buffer.from(value, 'base64') : value));
      const result = await writeZip(inputs, process.argv[3], { concurrency: 2 });
      console.log(JSON.stringify(result));`;
    const serialised = JSON.stringify(inputs, (key, value) => (key === 'content' ? Buffer.from(value.data).toString('base64') : value));
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, path.join(build, 'zip/write.js'), serialised, path.join(dir, 'from-build.zip')]);
    expect(JSON.parse(stdout).sha256).toBe(fromSource.sha256);
  });
});
