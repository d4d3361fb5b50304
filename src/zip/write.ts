// Deterministic zip writer: same inputs give byte-identical zips, whatever the input order, machine or concurrency.
import os from 'node:os';
import zlib from 'node:zlib';
import { ExternalError, InternalError } from '../errors.js';
import { createDeflatePool } from './deflate-pool.js';
import { DeflateWindow } from './deflate-window.js';
import { CHUNK_SIZE, deflateTasks } from './chunks.js';
import { measure, toSortedEntries } from './entries.js';
import { centralHeader, endOfCentralDirectory, toDosDateTime } from './format.js';
import { ZipOutputFile } from './output.js';
import { writeEntries } from './write-entries.js';
import type { ZipInput } from './types.js';

export type { ZipInput };

export interface ZipOptions {
  /** deflate level, default 6; same level every time. */
  level?: number;
  /** worker threads compressing in parallel; default min(os.availableParallelism(), 4). 1 = serial in the main thread. Output bytes never depend on it. */
  concurrency?: number;
  /** timestamp for every entry; default 1980-01-01 00:00:00 (the plan passes SOURCE_DATE_EPOCH's, see host.ts). DOS time is local-time-free: encode the UTC fields. */
  mtime?: Date;
  /** AbortSignal: abort stops work promptly, removes the temp file, rejects. */
  signal?: AbortSignal;
}

export interface ZipResult {
  path: string;
  bytes: number;
  sha256: string /* hex */;
  codeSha256: string /* base64 of sha256, as Lambda reports */;
  entries: number;
  unzippedBytes: number;
}

export const DEFAULT_LEVEL = 6;
const DOS_EPOCH = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));
/** Uncompressed bytes in flight across all workers: bounds memory whatever the tree's size. */
const WINDOW_BYTES = 16 * CHUNK_SIZE;

interface ZipSettings {
  level: number;
  concurrency: number;
  mtime: Date;
}

function resolveSettings(options: ZipOptions): ZipSettings {
  const level = options.level ?? DEFAULT_LEVEL;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new InternalError('ZIP_INVALID_OPTION', `zip level must be an integer 0-9, got ${level}`);
  }
  const concurrency = options.concurrency ?? Math.min(os.availableParallelism(), 4);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InternalError('ZIP_INVALID_OPTION', `zip concurrency must be a positive integer, got ${concurrency}`);
  }
  const mtime = options.mtime ?? DOS_EPOCH;
  if (Number.isNaN(mtime.getTime())) throw new InternalError('ZIP_INVALID_OPTION', 'zip mtime is an invalid Date');
  return { level, concurrency, mtime };
}

/**
 * Writes the zip to a temp file in the same directory as outFile (`.<name>.tmp-<pid>-<random>`), fsyncs,
 * then renames over outFile. On any error or abort the temp file is removed and a previous outFile is left untouched.
 */
export async function writeZip(inputs: ZipInput[], outFile: string, options: ZipOptions = {}): Promise<ZipResult> {
  if (typeof zlib.crc32 !== 'function') {
    throw new ExternalError('NODE_TOO_OLD', `lambda-pack needs Node.js 20.15 or later to write zips (found ${process.version})`);
  }
  const { signal } = options;
  const settings = resolveSettings(options);
  const entries = toSortedEntries(inputs);
  signal?.throwIfAborted();

  const output = await ZipOutputFile.create(outFile);
  const pool = createDeflatePool(settings.concurrency, signal);
  try {
    const chunks = new DeflateWindow(deflateTasks(entries, settings.level), pool, WINDOW_BYTES);
    const records = await writeEntries(entries, { output, chunks, dosTime: toDosDateTime(settings.mtime), ...(signal ? { signal } : {}) });
    const offset = output.position;
    for (const record of records) await output.append(centralHeader(record));
    await output.append(endOfCentralDirectory({ entries: records.length, offset, size: output.position - offset }));
    signal?.throwIfAborted();
    const committed = await output.commit();
    return {
      path: outFile,
      ...committed,
      entries: entries.length,
      unzippedBytes: entries.reduce((sum, entry) => sum + measure(entry), 0),
    };
  } catch (error) {
    await output.discard();
    // Whatever failed first while aborting (a terminated worker, a closed file), the caller asked to stop.
    throw signal?.aborted ? signal.reason : error;
  } finally {
    await pool.close();
  }
}
