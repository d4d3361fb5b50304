// The unit of compression work: read a run of entry chunks and deflate each one, in a worker or the main thread.
import type * as fsModule from 'node:fs';
import type * as zlibModule from 'node:zlib';

/** One chunk of one entry's data. Entries up to CHUNK_SIZE are one chunk ("whole"). */
export interface DeflateItem {
  /** Host file holding the entry's data... */
  source?: string;
  /** ...or the bytes themselves: the dictionary prefix followed by the chunk. */
  bytes?: Uint8Array;
  /** Where the chunk starts in the entry's data. */
  offset: number;
  length: number;
  /** How many bytes before `offset` prime the deflate dictionary (0 for a first chunk). */
  dictionaryLength: number;
  /** Last chunk of its entry: finish the deflate stream; other chunks end on a byte-aligned sync flush. */
  last: boolean;
  /** The entry's only chunk: stored instead when deflate does not make it smaller. */
  whole: boolean;
}

export interface DeflateTask {
  id: number;
  level: number;
  items: DeflateItem[];
}

/** Results in item order, packed in one buffer so a worker can transfer it without copying. */
export interface DeflatedBatch {
  crc32: number[];
  /** 0 stored, 8 deflated */
  method: number[];
  /** byte length of each item's data within `data` */
  length: number[];
  data: Uint8Array;
}

export interface DeflateLibraries {
  zlib: typeof zlibModule;
  fs: typeof fsModule;
}

/**
 * Deflates every item of a task.
 *
 * It is sent to worker threads as source text (Function.prototype.toString), so it must stay
 * self-contained: no reference to imports or to anything outside its body; modules come in as `lib`.
 * Its output depends only on the item's bytes, the level and the chunking: never on which thread runs it.
 */
export function deflateItems(task: DeflateTask, lib: DeflateLibraries): DeflatedBatch {
  const { zlib, fs } = lib;

  function sourceError(code: string, message: string, source: string): Error {
    return Object.assign(new Error(message), { code, path: source });
  }

  function readChunk(item: DeflateItem, source: string): Uint8Array {
    const start = item.offset - item.dictionaryLength;
    const wanted = item.dictionaryLength + item.length;
    // For a last chunk, one byte more: finding it means the file grew since it was measured.
    const bytes = Buffer.allocUnsafe(wanted + (item.last ? 1 : 0));
    const fd = fs.openSync(source, 'r');
    let got = 0;
    try {
      // Stops at the first read that reaches `wanted`: a short read of a regular file is its end,
      // so an unchanged file costs one read, not a second one that returns 0.
      for (let read = -1; got < wanted && read !== 0; got += read) {
        read = fs.readSync(fd, bytes, got, bytes.length - got, start + got);
      }
    } finally {
      fs.closeSync(fd);
    }
    // A file that shrank or grew since it was measured would give a zip that matches neither version.
    if (got !== wanted) throw sourceError('ZIP_SOURCE_CHANGED', 'it changed size while it was being zipped', source);
    return bytes.subarray(0, wanted);
  }

  const outputs: Uint8Array[] = [];
  const batch: DeflatedBatch = { crc32: [], method: [], length: [], data: new Uint8Array(0) };
  for (const item of task.items) {
    const bytes = item.bytes ?? readChunk(item, item.source as string);
    const chunk = bytes.subarray(item.dictionaryLength, item.dictionaryLength + item.length);
    const options: zlibModule.ZlibOptions = {
      level: task.level,
      windowBits: 15,
      memLevel: 8,
      strategy: zlib.constants.Z_DEFAULT_STRATEGY,
      finishFlush: item.last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH,
      // Room for the whole output in one buffer (deflate rarely grows data by more than a few bytes per block).
      chunkSize: Math.max(64, chunk.length + 64),
    };
    if (item.dictionaryLength > 0) options.dictionary = bytes.subarray(0, item.dictionaryLength);
    const deflated = zlib.deflateRawSync(chunk, options);
    const stored = item.whole && deflated.length >= chunk.length;
    const output = stored ? chunk : deflated;
    batch.crc32.push(zlib.crc32(chunk) >>> 0);
    batch.method.push(stored ? 0 : 8);
    batch.length.push(output.length);
    outputs.push(output);
  }
  batch.data = new Uint8Array(batch.length.reduce((sum, length) => sum + length, 0));
  let position = 0;
  for (const output of outputs) {
    batch.data.set(output, position);
    position += output.length;
  }
  return batch;
}
