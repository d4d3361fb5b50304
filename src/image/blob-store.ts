// A content-addressed directory of image blobs (layers, configs, manifests), laid out as an OCI
// image layout's blobs/sha256/<hex>: written through a temp file and renamed under its digest.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, rename, stat, unlink, copyFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { InternalError } from '../errors.js';
import { hexOf, type Digest } from './digest.js';

/** Small appends are gathered into writes of this size. */
const STAGE_SIZE = 1 << 20;

export interface StoredBlob {
  readonly digest: Digest;
  readonly size: number;
}

/** A blob being written: bytes appended in order, hashed as they go, named by their digest at commit. */
export class BlobWriter {
  private readonly hash = createHash('sha256');
  private readonly stage = Buffer.allocUnsafe(STAGE_SIZE);
  private staged = 0;
  private written = 0;
  private done = false;

  constructor(private readonly store: BlobStore, readonly tempPath: string, private readonly handle: FileHandle) {}

  get size(): number {
    return this.written + this.staged;
  }

  async append(bytes: Uint8Array): Promise<void> {
    this.hash.update(bytes);
    if (this.staged + bytes.length > STAGE_SIZE) await this.flush();
    if (bytes.length >= STAGE_SIZE) {
      await this.writeFully(bytes);
      return;
    }
    this.stage.set(bytes, this.staged);
    this.staged += bytes.length;
  }

  /** Syncs and renames the temp file to blobs/sha256/<hex>; an existing blob of that digest is kept. */
  async commit(): Promise<StoredBlob> {
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
    this.done = true;
    const digest: Digest = `sha256:${this.hash.digest('hex')}`;
    await rename(this.tempPath, this.store.path(digest));
    return { digest, size: this.written };
  }

  /** Removes the temp file. Never throws. */
  async discard(): Promise<void> {
    if (!this.done) await this.handle.close().catch(() => undefined);
    this.done = true;
    await unlink(this.tempPath).catch(() => undefined);
  }

  private async flush(): Promise<void> {
    if (this.staged === 0) return;
    const staged = this.staged;
    this.staged = 0;
    await this.writeFully(this.stage.subarray(0, staged));
  }

  private async writeFully(bytes: Uint8Array): Promise<void> {
    for (let done = 0; done < bytes.length;) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, this.written);
      done += bytesWritten;
      this.written += bytesWritten;
    }
  }
}

export class BlobStore {
  private readonly blobs: string;

  /** `root` holds blobs/sha256/: the per-user cache's images/ (so base layers are fetched once). */
  constructor(readonly root: string) {
    this.blobs = path.join(root, 'blobs', 'sha256');
  }

  path(digest: Digest): string {
    return path.join(this.blobs, hexOf(digest));
  }

  async has(digest: Digest): Promise<boolean> {
    return stat(this.path(digest)).then((s) => s.isFile(), () => false);
  }

  async size(digest: Digest): Promise<number> {
    return (await stat(this.path(digest))).size;
  }

  async writer(): Promise<BlobWriter> {
    await mkdir(this.blobs, { recursive: true });
    const tempPath = path.join(this.blobs, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    return new BlobWriter(this, tempPath, await open(tempPath, 'wx'));
  }

  /** Stores small bytes (a config, a manifest) under their digest. */
  async put(bytes: Uint8Array): Promise<StoredBlob> {
    const writer = await this.writer();
    try {
      await writer.append(bytes);
      return await writer.commit();
    } catch (error) {
      await writer.discard();
      throw error;
    }
  }

  async read(digest: Digest): Promise<Buffer> {
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(this.path(digest));
    const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (actual !== digest) throw new InternalError('BLOB_CORRUPT', `the blob ${this.path(digest)} does not match its digest ${digest} (it is ${actual}): remove it and run again`);
    return bytes;
  }

  stream(digest: Digest): NodeJS.ReadableStream {
    return createReadStream(this.path(digest));
  }

  /** Puts the blob into another store (an OCI layout's blobs): a hard link when both share a filesystem, else a copy. */
  async exportTo(digest: Digest, target: BlobStore): Promise<void> {
    if (await target.has(digest)) return;
    await mkdir(target.blobs, { recursive: true });
    const destination = target.path(digest);
    try {
      await link(this.path(digest), destination);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return;
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw error;
      const temp = `${destination}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
      await copyFile(this.path(digest), temp);
      await rename(temp, destination);
    }
  }
}
