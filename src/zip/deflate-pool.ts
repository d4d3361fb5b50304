// Runs deflate tasks on a pool of worker threads, or one at a time in the main thread when concurrency is 1.
import fs from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import zlib from 'node:zlib';
import { ExternalError, InternalError } from '../errors.js';
import { deflateItems, type DeflatedBatch, type DeflateTask } from './deflate-task.js';

export interface DeflatePool {
  /** Settles in any order; the caller restores entry order. Rejects with the signal's reason once aborted. */
  run(task: DeflateTask): Promise<DeflatedBatch>;
  close(): Promise<void>;
}

export function createDeflatePool(concurrency: number, signal?: AbortSignal): DeflatePool {
  return concurrency <= 1 ? new SerialPool(signal) : new WorkerPool(concurrency, signal);
}

/** What a worker reports when a task throws: plain data, since errors do not cross threads intact. */
interface TaskFailure {
  message: string;
  code?: string;
  path?: string;
}

type WorkerReply = { id: number; batch: DeflatedBatch } | { id: number; failure: TaskFailure };

function toTaskFailure(error: unknown): TaskFailure {
  const { message, code, path } = (error ?? {}) as { message?: unknown; code?: unknown; path?: unknown };
  return {
    message: typeof message === 'string' ? message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof path === 'string' ? { path } : {}),
  };
}

/** A failure naming a source file is the filesystem's; anything else is ours. */
function toZipError(failure: TaskFailure, cause: unknown): Error {
  if (failure.path === undefined) {
    return new InternalError('ZIP_DEFLATE_FAILED', `deflate failed: ${failure.message}`, { cause });
  }
  const code = failure.code === 'ZIP_SOURCE_CHANGED' ? 'ZIP_SOURCE_CHANGED' : 'ZIP_SOURCE_UNREADABLE';
  return new ExternalError(code, `cannot zip ${failure.path}: ${failure.message}`, {}, { cause });
}

const LIBRARIES = { zlib, fs };

class SerialPool implements DeflatePool {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly signal: AbortSignal | undefined) {}

  run(task: DeflateTask): Promise<DeflatedBatch> {
    const result = this.tail.then(async () => {
      // Yield between tasks so an abort is seen within one task's time (at most one chunk).
      await nextTurn();
      this.signal?.throwIfAborted();
      try {
        return deflateItems(task, LIBRARIES);
      } catch (error) {
        throw toZipError(toTaskFailure(error), error);
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    await this.tail;
  }
}

// An ES module in a data: URL: the same text whether this file runs from src/ under vitest or from dist/,
// and unaffected by the parent's flags (an eval worker would obey --input-type).
const WORKER_SOURCE = `import { parentPort } from 'node:worker_threads';
import zlib from 'node:zlib';
import fs from 'node:fs';
const lib = { zlib, fs };
const deflateItems = ${deflateItems.toString()};
const toTaskFailure = ${toTaskFailure.toString()};
parentPort.on('message', (task) => {
  let batch;
  try {
    batch = deflateItems(task, lib);
  } catch (error) {
    parentPort.postMessage({ id: task.id, failure: toTaskFailure(error) });
    return;
  }
  parentPort.postMessage({ id: task.id, batch }, [batch.data.buffer]);
});
`;

const WORKER_URL = new URL(`data:text/javascript,${encodeURIComponent(WORKER_SOURCE)}`);

interface Pending {
  task: DeflateTask;
  resolve: (batch: DeflatedBatch) => void;
  reject: (error: unknown) => void;
}

/** Bytes sent to a worker are copied into their own buffers so that exactly they, not a whole backing store, cross over. */
function toMessage(task: DeflateTask): { message: DeflateTask; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const items = task.items.map((item) => {
    if (!item.bytes) return item;
    const bytes = new Uint8Array(item.bytes);
    transfer.push(bytes.buffer);
    return { ...item, bytes };
  });
  return { message: { ...task, items }, transfer };
}

class WorkerPool implements DeflatePool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<Worker, Pending>();
  private failure: { error: unknown } | undefined;
  private readonly onAbort = (): void => this.fail(this.signal?.reason);

  constructor(size: number, private readonly signal: AbortSignal | undefined) {
    for (let index = 0; index < size; index++) {
      const worker = new Worker(WORKER_URL);
      worker.on('message', (reply: WorkerReply) => this.settle(worker, reply));
      worker.on('error', (error) => this.fail(new InternalError('ZIP_WORKER_FAILED', `deflate worker failed: ${error.message}`, { cause: error })));
      worker.on('exit', (exitCode) => {
        if (!this.failure) this.fail(new InternalError('ZIP_WORKER_FAILED', `deflate worker exited with code ${exitCode}`));
      });
      this.workers.push(worker);
      this.idle.push(worker);
    }
    signal?.addEventListener('abort', this.onAbort, { once: true });
    if (signal?.aborted) this.onAbort();
  }

  run(task: DeflateTask): Promise<DeflatedBatch> {
    if (this.failure) return Promise.reject(this.failure.error);
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.signal?.removeEventListener('abort', this.onAbort);
    this.fail(new InternalError('ZIP_POOL_CLOSED', 'deflate pool closed while tasks were pending'));
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const pending = this.queue.shift()!;
      this.running.set(worker, pending);
      const { message, transfer } = toMessage(pending.task);
      worker.postMessage(message, transfer);
    }
  }

  private settle(worker: Worker, reply: WorkerReply): void {
    const pending = this.running.get(worker);
    if (!pending || pending.task.id !== reply.id) {
      this.fail(new InternalError('ZIP_WORKER_FAILED', `deflate worker answered task ${reply.id} it was not running`));
      return;
    }
    this.running.delete(worker);
    this.idle.push(worker);
    this.dispatch();
    if ('batch' in reply) pending.resolve(reply.batch);
    else pending.reject(toZipError(reply.failure, Object.assign(new Error(reply.failure.message), reply.failure)));
  }

  /** First failure wins: every pending and later task rejects with it, and the workers stop at once. */
  private fail(error: unknown): void {
    if (this.failure) return;
    this.failure = { error };
    const pending = [...this.running.values(), ...this.queue];
    this.running.clear();
    this.queue.length = 0;
    for (const { reject } of pending) reject(error);
    for (const worker of this.workers) void worker.terminate();
  }
}
