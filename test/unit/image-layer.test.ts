import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from '../../src/image/blob-store.js';
import { rememberedLayer, writeLayer, type LayerInput } from '../../src/image/layer.js';
import { GZIP_HEADER } from '../../src/image/gzip.js';

const run = promisify(execFile);

let dir: string;
let store: BlobStore;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'layer-test-'));
  store = new BlobStore(path.join(dir, 'store'));
});
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

// Python's tarfile is the independent reader: every header field as it parsed it.
const INSPECT = String.raw`
import json, sys, tarfile
out = []
with tarfile.open(sys.argv[1], 'r:gz') as t:
    for m in t.getmembers():
        out.append({'name': m.name, 'type': m.type.decode(), 'mode': m.mode, 'uid': m.uid, 'gid': m.gid,
                    'uname': m.uname, 'gname': m.gname, 'mtime': m.mtime, 'size': m.size, 'linkname': m.linkname,
                    'pax': sorted(m.pax_headers.keys()),
                    'content': t.extractfile(m).read().decode('latin-1') if m.isfile() else None})
sys.stdout.write(json.dumps(out))
`;

interface Member { name: string; type: string; mode: number; uid: number; gid: number; uname: string; gname: string; mtime: number; size: number; linkname: string; pax: string[]; content: string | null }

async function members(blob: string): Promise<Member[]> {
  const { stdout } = await run('python3', ['-c', INSPECT, blob], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as Member[];
}

const text = (s: string) => new TextEncoder().encode(s);

function inputs(): LayerInput[] {
  return [
    { path: 'var/task/index.js', kind: 'file', content: text('exports.handler = async () => "hi";\n') },
    { path: 'var/task/bin/tool', kind: 'file', content: text('#!/bin/sh\necho tool\n'), executable: true },
    { path: 'var/task/lib', kind: 'directory' },
    { path: 'var/task/current', kind: 'symlink', linkTarget: 'index.js' },
  ];
}

describe('writeLayer', () => {
  it('writes the same blob twice, whatever the input order', async () => {
    const first = await writeLayer(inputs(), store, { mtime: new Date(0) });
    const again = await writeLayer(inputs().reverse(), new BlobStore(path.join(dir, 'other')), { mtime: new Date(0), concurrency: 2 });
    expect(again).toEqual(first);
    expect(await readFile(new BlobStore(path.join(dir, 'other')).path(again.digest))).toEqual(await readFile(store.path(first.digest)));
  });

  it('sorts entries bytewise, adds parent directories, and fixes owners, modes and mtime', async () => {
    const layer = await writeLayer(inputs(), store, { mtime: new Date(Date.UTC(1980, 0, 1)) });
    const found = await members(store.path(layer.digest));
    expect(found.map((m) => [m.name, m.type, m.mode.toString(8)])).toEqual([
      ['var', '5', '755'], ['var/task', '5', '755'], ['var/task/bin', '5', '755'], ['var/task/bin/tool', '0', '755'],
      ['var/task/current', '2', '777'], ['var/task/index.js', '0', '644'], ['var/task/lib', '5', '755'],
    ]);
    for (const m of found) {
      expect({ uid: m.uid, gid: m.gid, uname: m.uname, gname: m.gname, mtime: m.mtime, pax: m.pax }).toEqual({ uid: 0, gid: 0, uname: '', gname: '', mtime: 315532800, pax: [] });
    }
    expect(found.find((m) => m.name === 'var/task/current')!.linkname).toBe('index.js');
    expect(layer.entries).toBe(7);
  });

  it('describes the blob: digest of the gzip, diffID of the tar, both sizes', async () => {
    const layer = await writeLayer(inputs(), store);
    const blob = await readFile(store.path(layer.digest));
    const tar = zlib.gunzipSync(blob);
    expect(layer.digest).toBe(`sha256:${createHash('sha256').update(blob).digest('hex')}`);
    expect(layer.diffId).toBe(`sha256:${createHash('sha256').update(tar).digest('hex')}`);
    expect([layer.size, layer.uncompressedSize]).toEqual([blob.length, tar.length]);
    expect(layer.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    // No 10 KiB record padding: the tar ends with exactly two zero blocks after the last entry.
    expect(tar.length % 512).toBe(0);
    expect(tar.subarray(-1024).every((b) => b === 0)).toBe(true);
  });

  it('writes a fixed gzip header: no name, mtime 0, OS byte 255', async () => {
    const layer = await writeLayer(inputs(), store);
    const blob = await readFile(store.path(layer.digest));
    expect([...blob.subarray(0, 10)]).toEqual([...GZIP_HEADER]);
    expect([...GZIP_HEADER]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  });

  it('stamps entries with the time it is given (the plan\'s SOURCE_DATE_EPOCH), never reading the environment itself', async () => {
    const saved = process.env.SOURCE_DATE_EPOCH;
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    try {
      expect((await members(store.path((await writeLayer(inputs(), store)).digest))).map((m) => m.mtime)).toEqual(Array(7).fill(315532800));
      const dated = await writeLayer(inputs(), store, { mtime: new Date(1700000000 * 1000) });
      expect((await members(store.path(dated.digest))).map((m) => m.mtime)).toEqual(Array(7).fill(1700000000));
    } finally {
      if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH; else process.env.SOURCE_DATE_EPOCH = saved;
    }
  });

  it('gives a long or non-ASCII name a PAX path, and keeps a file larger than one chunk intact', async () => {
    const big = Buffer.alloc(3 * (1 << 20) + 123);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
    const source = path.join(dir, 'big.bin');
    await writeFile(source, big);
    const long = `var/task/${'d'.repeat(120)}/file.txt`;
    const layer = await writeLayer([
      { path: long, kind: 'file', content: text('long') },
      { path: 'var/task/café.txt', kind: 'file', content: text('accent') },
      { path: 'var/task/big.bin', kind: 'file', source },
    ], store, { concurrency: 2 });
    const found = await members(store.path(layer.digest));
    expect(found.find((m) => m.name === long)).toMatchObject({ pax: ['path'], content: 'long' });
    expect(found.find((m) => m.name === 'var/task/café.txt')).toMatchObject({ pax: ['path'], content: 'accent' });
    const tar = zlib.gunzipSync(await readFile(store.path(layer.digest)));
    expect(tar.includes(big)).toBe(true);
    const serial = await writeLayer([
      { path: 'var/task/big.bin', kind: 'file', source }, { path: 'var/task/café.txt', kind: 'file', content: text('accent') },
      { path: long, kind: 'file', content: text('long') },
    ], new BlobStore(path.join(dir, 'serial')), { concurrency: 1 });
    expect(serial.digest).toBe(layer.digest);
  });

  it('refuses an entry under a file, and leaves no temp file behind a source that vanished', async () => {
    await expect(writeLayer([{ path: 'a', kind: 'file', content: text('x') }, { path: 'a/b', kind: 'file', content: text('y') }], store))
      .rejects.toThrow(/lies under "a", which is a file/);
    await expect(writeLayer([{ path: 'var/task/gone', kind: 'file', source: path.join(dir, 'missing') }], store))
      .rejects.toMatchObject({ code: 'LAYER_SOURCE_UNREADABLE' });
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(path.join(dir, 'store', 'blobs', 'sha256')).catch(() => [])).filter((f) => f.startsWith('.tmp'))).toEqual([]);
  });

  it('reuses a remembered layer while its blob is in the store, and writes it again once it is gone', async () => {
    let writes = 0;
    const write = () => { writes++; return writeLayer(inputs(), store); };
    const first = await rememberedLayer(store, 'deps-key-1', write);
    expect(await rememberedLayer(store, 'deps-key-1', write)).toEqual(first);
    expect(writes).toBe(1);
    await rm(store.path(first.digest));
    expect(await rememberedLayer(store, 'deps-key-1', write)).toEqual(first);
    await rememberedLayer(store, 'deps-key-2', write);
    expect(writes).toBe(3);
  });
});
