// Cuts entries' data into fixed-size chunks and groups small entries into deflate tasks, in stored order.
import type { DeflateItem, DeflateTask } from './deflate-task.js';
import { measure, type ZipEntry } from './entries.js';

/**
 * Entries larger than this are deflated as independent chunks that join into one deflate stream
 * (as pigz does). The output depends on it, so it is a constant, never derived from the machine.
 */
export const CHUNK_SIZE = 1 << 20;
/** Each chunk after the first is primed with the 32 KiB before it, deflate's whole window, so chunking costs almost no ratio. */
export const DICTIONARY_SIZE = 32 * 1024;

/** Small entries travel together so that thousands of tiny files do not cost a message each. */
const BATCH_BYTES = 1 << 20;
const BATCH_ITEMS = 256;

export function chunkCount(size: number): number {
  return Math.ceil(size / CHUNK_SIZE);
}

export function chunkLength(size: number, index: number): number {
  return Math.min(CHUNK_SIZE, size - index * CHUNK_SIZE);
}

function chunkItem(entry: ZipEntry, size: number, index: number, chunks: number): DeflateItem {
  const offset = index * CHUNK_SIZE;
  const length = chunkLength(size, index);
  const dictionaryLength = Math.min(offset, DICTIONARY_SIZE);
  const item: DeflateItem = { offset, length, dictionaryLength, last: index === chunks - 1, whole: chunks === 1 };
  if (entry.bytes) item.bytes = entry.bytes.subarray(offset - dictionaryLength, offset + length);
  else item.source = entry.source as string;
  return item;
}

export interface PlannedTask {
  task: DeflateTask;
  /** uncompressed bytes the task reads: what it holds in memory while in flight */
  bytes: number;
}

/** Every chunk of every non-empty entry, in stored order; the writer consumes the results in the same order. */
export function* deflateTasks(entries: readonly ZipEntry[], level: number): Generator<PlannedTask> {
  let id = 0;
  let batch: DeflateItem[] = [];
  let batchBytes = 0;
  function* flush(): Generator<PlannedTask> {
    if (batch.length === 0) return;
    yield { task: { id: id++, level, items: batch }, bytes: batchBytes };
    batch = [];
    batchBytes = 0;
  }
  for (const entry of entries) {
    const size = measure(entry);
    const chunks = chunkCount(size);
    if (chunks === 1) {
      batch.push(chunkItem(entry, size, 0, 1));
      batchBytes += size;
      if (batchBytes >= BATCH_BYTES || batch.length >= BATCH_ITEMS) yield* flush();
    } else if (chunks > 1) {
      yield* flush();
      for (let index = 0; index < chunks; index++) {
        const item = chunkItem(entry, size, index, chunks);
        yield { task: { id: id++, level, items: [item] }, bytes: item.length };
      }
    }
  }
  yield* flush();
}
