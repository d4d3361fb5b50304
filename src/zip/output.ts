// The zip on disk while it is written: a temp file beside the target, renamed over it only once complete and synced.
import { createHash, randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** Small headers and entries are gathered into writes of this size. */
const STAGE_SIZE = 1 << 20;

export interface CommittedZip {
  bytes: number;
  sha256: string;
  codeSha256: string;
}

export class ZipOutputFile {
  private readonly stage = Buffer.allocUnsafe(STAGE_SIZE);
  private stagedLength = 0;
  /** file offset of stage[0] */
  private stagedAt = 0;
  private closed = false;

  private constructor(
    readonly tempPath: string,
    readonly targetPath: string,
    private readonly handle: FileHandle,
  ) {}

  /** Opens `.<name>.tmp-<pid>-<random>` in the target's directory, so the final rename stays on one filesystem. */
  static async create(targetPath: string): Promise<ZipOutputFile> {
    const tempPath = path.join(
      path.dirname(targetPath),
      `.${path.basename(targetPath)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`,
    );
    return new ZipOutputFile(tempPath, targetPath, await open(tempPath, 'wx+'));
  }

  /** Offset the next append lands at. */
  get position(): number {
    return this.stagedAt + this.stagedLength;
  }

  async append(bytes: Uint8Array): Promise<void> {
    if (this.stagedLength + bytes.length > STAGE_SIZE) await this.flush();
    if (bytes.length >= STAGE_SIZE) {
      await this.writeFully(bytes, this.stagedAt);
      this.stagedAt += bytes.length;
      return;
    }
    this.stage.set(bytes, this.stagedLength);
    this.stagedLength += bytes.length;
  }

  /** Overwrites bytes already appended (a header reserved before its entry's sizes were known). */
  async writeAt(position: number, bytes: Uint8Array): Promise<void> {
    if (position + bytes.length > this.position) throw new RangeError('writeAt beyond the appended data');
    await this.flush();
    await this.writeFully(bytes, position);
  }

  /** Moves the append position back; what lay beyond it is overwritten or truncated at commit. */
  async rewind(position: number): Promise<void> {
    if (position > this.position) throw new RangeError('rewind beyond the appended data');
    await this.flush();
    this.stagedAt = position;
  }

  /** Truncates, hashes what is on disk, syncs, and renames over the target. */
  async commit(): Promise<CommittedZip> {
    await this.flush();
    const bytes = this.position;
    await this.handle.truncate(bytes);
    const digest = await this.hashFile(bytes);
    await this.handle.sync();
    await this.close();
    await rename(this.tempPath, this.targetPath);
    await syncDirectory(path.dirname(this.targetPath));
    return { bytes, sha256: digest.toString('hex'), codeSha256: digest.toString('base64') };
  }

  /** Closes and removes the temp file; the target is untouched. Never throws. */
  async discard(): Promise<void> {
    await this.close().catch(() => undefined);
    await unlink(this.tempPath).catch(() => undefined);
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }

  private async flush(): Promise<void> {
    if (this.stagedLength === 0) return;
    await this.writeFully(this.stage.subarray(0, this.stagedLength), this.stagedAt);
    this.stagedAt += this.stagedLength;
    this.stagedLength = 0;
  }

  private async writeFully(bytes: Uint8Array, position: number): Promise<void> {
    for (let done = 0; done < bytes.length; ) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, position + done);
      done += bytesWritten;
    }
  }

  // Hashing what was written, rather than the bytes as they went out, covers the headers patched afterwards.
  private async hashFile(length: number): Promise<Buffer> {
    const hash = createHash('sha256');
    const buffer = this.stage;
    for (let position = 0; position < length; ) {
      const { bytesRead } = await this.handle.read(buffer, 0, Math.min(buffer.length, length - position), position);
      if (bytesRead === 0) throw new Error(`zip temp file ${this.tempPath} is shorter than written`);
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    return hash.digest();
  }
}

/** Makes the rename itself durable. Some filesystems refuse to sync a directory; the zip is complete either way. */
async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // best effort: see above
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
