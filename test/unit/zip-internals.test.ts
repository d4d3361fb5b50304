import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { DeflatePool } from '../../src/zip/deflate-pool.js';
import type { DeflatedBatch, DeflateTask } from '../../src/zip/deflate-task.js';
import { DeflateWindow } from '../../src/zip/deflate-window.js';
import { CHUNK_SIZE, DICTIONARY_SIZE, deflateTasks, type PlannedTask } from '../../src/zip/chunks.js';
import { crc32Combine } from '../../src/zip/crc.js';
import type { ZipEntry } from '../../src/zip/entries.js';
import { centralHeader, endOfCentralDirectory, localHeader, toDosDateTime, type ZipRecord } from '../../src/zip/format.js';

const GiB = 2 ** 30;

function record(overrides: Partial<ZipRecord> = {}): ZipRecord {
  return {
    name: Buffer.from('big.bin'),
    mode: 0o100644,
    method: 8,
    crc32: 0x12345678,
    compressedSize: 100,
    uncompressedSize: 200,
    localHeaderOffset: 0,
    dosTime: toDosDateTime(new Date(Date.UTC(1980, 0, 1))),
    ...overrides,
  };
}

/** The ZIP64 extra field of a header whose name is 'big.bin', as [id, size, ...64-bit values]. */
function zip64Values(header: Buffer, fixedSize: number): bigint[] {
  const extra = header.subarray(fixedSize + 'big.bin'.length);
  if (extra.length === 0) return [];
  expect(extra.readUInt16LE(0)).toBe(0x0001);
  expect(extra.readUInt16LE(2)).toBe(extra.length - 4);
  return Array.from({ length: (extra.length - 4) / 8 }, (_, index) => extra.readBigUInt64LE(4 + 8 * index));
}

describe('zip format', () => {
  it('gives small entries no extra field and version 2.0', () => {
    expect(zip64Values(localHeader(record()), 30)).toEqual([]);
    expect(zip64Values(centralHeader(record()), 46)).toEqual([]);
    expect(localHeader(record()).readUInt16LE(4)).toBe(20);
  });

  it('puts both sizes in the local ZIP64 field for entries of 4 GiB or more', () => {
    const header = localHeader(record({ uncompressedSize: 5 * GiB, compressedSize: 2 * GiB }));
    expect(header.readUInt16LE(4)).toBe(45);
    expect(header.readUInt32LE(18)).toBe(0xffffffff);
    expect(header.readUInt32LE(22)).toBe(0xffffffff);
    expect(zip64Values(header, 30)).toEqual([BigInt(5 * GiB), BigInt(2 * GiB)]);
  });

  it('puts only the overflowing fields in the central ZIP64 field, in spec order', () => {
    const farAway = centralHeader(record({ localHeaderOffset: 4 * GiB }));
    expect(farAway.readUInt32LE(42)).toBe(0xffffffff);
    expect(farAway.readUInt32LE(20)).toBe(100);
    expect(zip64Values(farAway, 46)).toEqual([BigInt(4 * GiB)]);

    const huge = centralHeader(record({ uncompressedSize: 6 * GiB, compressedSize: 100, localHeaderOffset: 5 * GiB }));
    expect(zip64Values(huge, 46)).toEqual([BigInt(6 * GiB), BigInt(5 * GiB)]);
  });

  it('writes ZIP64 end records when the central directory starts beyond 4 GiB', () => {
    expect(endOfCentralDirectory({ entries: 3, offset: 1000, size: 138 })).toHaveLength(22);
    const end = endOfCentralDirectory({ entries: 3, offset: 5 * GiB, size: 138 });
    expect(end).toHaveLength(56 + 20 + 22);
    expect(end.readUInt32LE(0)).toBe(0x06064b50);
    expect(end.readBigUInt64LE(48)).toBe(BigInt(5 * GiB));
    expect(end.readUInt32LE(56)).toBe(0x07064b50);
    expect(end.readBigUInt64LE(56 + 8)).toBe(BigInt(5 * GiB + 138));
    const classic = end.subarray(76);
    expect(classic.readUInt16LE(10)).toBe(3);
    expect(classic.readUInt32LE(16)).toBe(0xffffffff);
  });

  it('clamps DOS timestamps to 1980-2107', () => {
    expect(toDosDateTime(new Date('1970-01-01T00:00:00Z'))).toEqual(toDosDateTime(new Date('1980-01-01T00:00:00Z')));
    expect(toDosDateTime(new Date('2200-01-01T00:00:00Z'))).toEqual({ date: (127 << 9) | (12 << 5) | 31, time: (23 << 11) | (59 << 5) | 29 });
  });
});

describe('crc32Combine', () => {
  it('matches the CRC of the concatenation', () => {
    for (const [lengthA, lengthB] of [[0, 5], [5, 0], [1, 1], [1000, 3], [CHUNK_SIZE, CHUNK_SIZE - 7], [17, 123_457]]) {
      const a = randomBytes(lengthA!);
      const b = randomBytes(lengthB!);
      expect(crc32Combine(zlib.crc32(a), zlib.crc32(b), b.length)).toBe(zlib.crc32(Buffer.concat([a, b])));
    }
  });
});

function contentEntry(path: string, size: number): ZipEntry {
  const bytes = randomBytes(size);
  return { path, kind: 'file', name: Buffer.from(path), mode: 0o100644, bytes, size };
}

describe('deflateTasks', () => {
  it('cuts large entries into fixed chunks primed with the previous 32 KiB, and batches small ones', () => {
    const entries = [contentEntry('a', 10), contentEntry('b', 0), contentEntry('c', 2 * CHUNK_SIZE + 5), contentEntry('d', 20)];
    const tasks = [...deflateTasks(entries, 6)].map(({ task }) => task.items.map(({ offset, length, dictionaryLength, last, whole }) => ({ offset, length, dictionaryLength, last, whole })));
    expect(tasks).toEqual([
      [{ offset: 0, length: 10, dictionaryLength: 0, last: true, whole: true }],
      [{ offset: 0, length: CHUNK_SIZE, dictionaryLength: 0, last: false, whole: false }],
      [{ offset: CHUNK_SIZE, length: CHUNK_SIZE, dictionaryLength: DICTIONARY_SIZE, last: false, whole: false }],
      [{ offset: 2 * CHUNK_SIZE, length: 5, dictionaryLength: DICTIONARY_SIZE, last: true, whole: false }],
      [{ offset: 0, length: 20, dictionaryLength: 0, last: true, whole: true }],
    ]);
  });
});

describe('DeflateWindow', () => {
  it('hands chunks back in task order and never has more than the window of bytes sent and unwritten', async () => {
    const tasks: PlannedTask[] = Array.from({ length: 40 }, (_, id) => ({
      task: { id, level: 6, items: [{ offset: 0, length: 1000, dictionaryLength: 0, last: true, whole: true }] },
      bytes: 1000,
    }));
    let sent = 0;
    let written = 0;
    let peak = 0;
    const pending: { task: DeflateTask; resolve: (batch: DeflatedBatch) => void }[] = [];
    const pool: DeflatePool = {
      run(task) {
        sent++;
        peak = Math.max(peak, sent - written);
        return new Promise((resolve) => pending.push({ task, resolve }));
      },
      close: async () => undefined,
    };
    const window = new DeflateWindow(tasks.values(), pool, 5000);
    const order: number[] = [];
    for (let index = 0; index < tasks.length; index++) {
      const next = window.next();
      // Settle whatever is outstanding newest first, as a busy pool might.
      for (const { task, resolve } of pending.splice(0).reverse()) {
        resolve({ crc32: [task.id], method: [8], length: [0], data: new Uint8Array(0) });
      }
      order.push((await next).crc32);
      written++;
    }
    expect(order).toEqual(tasks.map(({ task }) => task.id));
    expect(peak).toBe(5);
  });
});
