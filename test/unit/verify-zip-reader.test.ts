// The zip reader behind verify: entries, modes and symlinks from Info-ZIP and Python zips, bounded
// prefix reads, zip64, and refusal of files that are not zips or lie about their sizes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { architecture, runtime } from '../../src/runtimes.js';
import { verifyZip } from '../../src/verify/index.js';
import { EntryReadError, ZipArchive, ZipFormatError } from '../../src/zip/read/archive.js';
import { inflateHead } from '../../src/zip/read/head-inflate.js';
import { entryKind, unixMode } from '../../src/zip/read/modes.js';
import { constants, deflateRawSync } from 'node:zlib';
import { makeZip } from '../verify-corpus/corpus.js';

const scratch = mkdtempSync(join(tmpdir(), 'lambda-pack-zip-reader-'));

function infoZip(files: Record<string, string | { symlink: string } | { mode: number; text: string }>): string {
  const dir = mkdtempSync(join(scratch, 'src-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    if (typeof content === 'string') writeFileSync(join(dir, name), content);
    else if ('symlink' in content) symlinkSync(content.symlink, join(dir, name));
    else {
      writeFileSync(join(dir, name), content.text);
      chmodSync(join(dir, name), content.mode);
    }
  }
  const zip = join(dir, '..', `${Math.random().toString(36).slice(2)}.zip`);
  execFileSync('zip', ['-q', '-r', '-y', zip, '.'], { cwd: dir });
  return zip;
}

describe('ZipArchive', () => {
  it('lists Info-ZIP entries with their Unix modes, directories and symlinks', () => {
    const zip = infoZip({ 'bin/tool': { mode: 0o755, text: '#!/bin/sh\n' }, 'lib/libx.so.1': { symlink: 'libx.so.1.2' }, 'lib/libx.so.1.2': 'x' });
    const archive = ZipArchive.open(zip);
    try {
      const byName = new Map(archive.entries.map((e) => [e.name, e]));
      expect(unixMode(byName.get('bin/tool')!)! & 0o777).toBe(0o755);
      expect(entryKind(byName.get('bin/')!)).toBe('directory');
      const link = byName.get('lib/libx.so.1')!;
      expect(entryKind(link)).toBe('symlink');
      expect(archive.readPrefix(link, 100).toString()).toBe('libx.so.1.2');
    } finally {
      archive.close();
    }
  });

  it('reads a prefix of a large deflated entry without inflating all of it, and the whole entry on request', () => {
    const text = Array.from({ length: 200_000 }, (_, i) => `line ${i}\n`).join('');
    const zip = makeZip([{ name: 'big.txt', text }]);
    const archive = ZipArchive.open(zip);
    try {
      const entry = archive.entries[0]!;
      expect(archive.readPrefix(entry, 64).toString()).toBe(text.slice(0, 64));
      expect(archive.readPrefix(entry, 100_000).toString()).toBe(text.slice(0, 100_000));
      expect(archive.readAll(entry, 10 * 1024 * 1024).toString()).toBe(text);
      expect(() => archive.readAll(entry, 1000)).toThrow(EntryReadError);
    } finally {
      archive.close();
    }
  });

  it('reads stored entries and empty files', () => {
    const data = randomBytes(5000);
    const file = join(scratch, 'random.bin');
    writeFileSync(file, data);
    const archive = ZipArchive.open(makeZip([{ name: 'r.bin', file, store: true }, { name: 'empty', text: '' }]));
    try {
      expect(archive.readPrefix(archive.entries[0]!, 10)).toEqual(data.subarray(0, 10));
      expect(archive.readAll(archive.entries[0]!, 1e6)).toEqual(data);
      expect(archive.readPrefix(archive.entries[1]!, 10).length).toBe(0);
    } finally {
      archive.close();
    }
  });

  it('reads the zip64 end record of a zip with more than 65,535 entries', () => {
    const zip = join(scratch, 'many.zip');
    execFileSync('python3', ['-c', `
import zipfile, sys
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for i in range(70000): z.writestr(f'f/{i}', '')
`, zip]);
    const archive = ZipArchive.open(zip);
    try {
      expect(archive.entries.length).toBe(70_000);
    } finally {
      archive.close();
    }
  });

  it('refuses a file that is not a zip, and a zip cut short', () => {
    const text = join(scratch, 'not.zip');
    writeFileSync(text, 'hello, I am not a zip file\n'.repeat(10));
    expect(() => ZipArchive.open(text)).toThrow(ZipFormatError);
    const zip = makeZip([{ name: 'a.txt', text: 'a'.repeat(1000) }]);
    const cut = join(scratch, 'cut.zip');
    writeFileSync(cut, readFileSync(zip).subarray(0, -30));
    expect(() => ZipArchive.open(cut)).toThrow(ZipFormatError);
  });

  it('refuses to inflate an entry past the size its central directory declares', () => {
    const zip = makeZip([{ name: 'bomb.txt', text: 'z'.repeat(1_000_000) }]);
    const bytes = readFileSync(zip);
    const central = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bytes.writeUInt32LE(1000, central + 24); // claim 1000 bytes uncompressed
    const lying = join(scratch, 'lying.zip');
    writeFileSync(lying, bytes);
    const archive = ZipArchive.open(lying);
    try {
      expect(() => archive.readAll(archive.entries[0]!, 1e9)).toThrow(EntryReadError);
    } finally {
      archive.close();
    }
  });
});

describe('inflateHead (the JavaScript decoder for entry heads)', () => {
  let seed = 99;
  const random = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  const samples = (): Buffer[] => [
    randomBytes(3000),
    Buffer.from('const x = require("y");\n'.repeat(400)),
    Buffer.alloc(100_000),
    Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), randomBytes(200), Buffer.alloc(5000, 7), Buffer.from('text '.repeat(900))]),
    Buffer.from(Array.from({ length: 20_000 }, () => Math.floor(random() * 4) + 97)),
    Buffer.alloc(0),
  ];

  it('decodes the same first bytes as zlib, for every level and strategy', () => {
    const strategies = [constants.Z_DEFAULT_STRATEGY, constants.Z_FILTERED, constants.Z_HUFFMAN_ONLY, constants.Z_RLE, constants.Z_FIXED];
    for (const data of samples()) {
      for (let level = 0; level <= 9; level++) {
        for (const strategy of strategies) {
          const compressed = deflateRawSync(data, { level, strategy });
          for (const wanted of [1, 4, 64, 1000, 4096]) {
            const head = inflateHead(compressed, wanted);
            expect(head, `level ${level} strategy ${strategy} wanted ${wanted}`).toEqual(data.subarray(0, wanted));
          }
        }
      }
    }
  });

  it('returns a correct prefix or undefined, never throws, on cut or garbled input', () => {
    for (const data of samples()) {
      const compressed = deflateRawSync(data);
      for (let i = 0; i < 200; i++) {
        const input = Buffer.from(compressed.subarray(0, Math.floor(random() * (compressed.length + 1))));
        if (i % 2 && input.length) input[Math.floor(random() * input.length)] = Math.floor(random() * 256);
        let head: Buffer | undefined;
        expect(() => { head = inflateHead(input, 64); }).not.toThrow();
        if (head && i % 2 === 0) expect(head).toEqual(data.subarray(0, head.length));
      }
    }
  });
});

describe('verifyZip on damaged zips', () => {
  it('either refuses with ZipFormatError or returns findings, for truncations and byte flips', async () => {
    const zip = makeZip([
      { name: 'index.js', text: 'exports.handler = async () => 1;\n'.repeat(50) },
      { name: 'lib/data.bin', text: 'x'.repeat(5000) },
      { name: 'bootstrap', text: '#!/bin/sh\n', mode: 0o755 },
    ]);
    const original = readFileSync(zip);
    const options = { runtime: runtime('nodejs22.x'), arch: architecture('x86_64') };
    const damaged = join(scratch, 'damaged.zip');
    let seed = 7;
    const next = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
    for (let i = 0; i < 200; i++) {
      const bytes = Buffer.from(original);
      if (i % 2 === 0) {
        writeFileSync(damaged, bytes.subarray(0, Math.floor(next() * bytes.length)));
      } else {
        for (let f = 0; f < 4; f++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
        writeFileSync(damaged, bytes);
      }
      try {
        const result = await verifyZip(damaged, options);
        expect(Array.isArray(result.findings)).toBe(true);
      } catch (error) {
        expect(error, `damage ${i}`).toBeInstanceOf(ZipFormatError);
      }
    }
  });
});
