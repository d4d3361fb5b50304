// Keeps a bounded window of deflate tasks in flight and hands their chunks back in stored order.
import { InternalError } from '../errors.js';
import type { DeflatedBatch } from './deflate-task.js';
import type { DeflatePool } from './deflate-pool.js';
import type { PlannedTask } from './chunks.js';

export interface DeflatedChunk {
  crc32: number;
  method: number;
  data: Uint8Array;
}

interface InFlight {
  bytes: number;
  result: Promise<DeflatedBatch>;
}

interface Draining {
  bytes: number;
  batch: DeflatedBatch;
  index: number;
  offset: number;
}

export class DeflateWindow {
  private readonly inFlight: InFlight[] = [];
  /** uncompressed bytes of the tasks sent and not yet written, the one being drained included */
  private inFlightBytes = 0;
  private draining: Draining | undefined;

  /**
   * @param windowBytes bound on uncompressed bytes in flight; at least one task is always in flight.
   * Memory therefore stays near windowBytes whatever the size of the tree or of one file.
   */
  constructor(
    private readonly tasks: Iterator<PlannedTask>,
    private readonly pool: DeflatePool,
    private readonly windowBytes: number,
  ) {}

  /** The next chunk in stored order; its data is valid until the following call. */
  async next(): Promise<DeflatedChunk> {
    let draining = this.draining;
    if (!draining || draining.index === draining.batch.method.length) {
      if (draining) this.inFlightBytes -= draining.bytes;
      this.fill();
      const head = this.inFlight.shift();
      if (!head) throw new InternalError('ZIP_PLAN_MISMATCH', 'the writer asked for more chunks than were planned');
      draining = { bytes: head.bytes, batch: await head.result, index: 0, offset: 0 };
      this.draining = draining;
      this.fill();
    }
    const { batch } = draining;
    const index = draining.index++;
    const start = draining.offset;
    draining.offset += batch.length[index]!;
    return { crc32: batch.crc32[index]!, method: batch.method[index]!, data: batch.data.subarray(start, draining.offset) };
  }

  private fill(): void {
    while (this.inFlight.length === 0 || this.inFlightBytes < this.windowBytes) {
      const planned = this.tasks.next();
      if (planned.done) return;
      const result = this.pool.run(planned.value.task);
      // Results are awaited in order; one that fails while an earlier one is awaited must not go unhandled.
      result.catch(() => undefined);
      this.inFlight.push({ bytes: planned.value.bytes, result });
      this.inFlightBytes += planned.value.bytes;
    }
  }
}
