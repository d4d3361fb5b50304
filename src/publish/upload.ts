// Puts one zip into S3 under its content-addressed key: asks first (HeadObject) and skips what is
// there, uploads in parts with progress when it is large, and checks the object after uploading.
import { createReadStream } from 'node:fs';
import { HeadBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ExternalError } from '../errors.js';
import { s3Error } from './errors.js';
import { objectKey, type S3Target } from './s3.js';

/** Parts of 8 MiB, four at a time: a 60 MB zip goes in 8 parts with at most 32 MiB in memory. */
export const PART_BYTES = 8 * 1024 * 1024;
const PARTS_AT_ONCE = 4;

export interface ZipToUpload {
  /** For messages: "HelloWorldFunction-x86_64.zip". */
  readonly label: string;
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface UploadOutcome {
  readonly bucket: string;
  readonly key: string;
  /** false: the object was already there (same key, same size), nothing was sent. */
  readonly uploaded: boolean;
  readonly multipart: boolean;
  readonly bytes: number;
}

export interface UploadProgress {
  readonly sent: number;
  readonly total: number;
  /** Multipart uploads: parts finished, of how many. */
  readonly parts?: { readonly done: number; readonly of: number };
}

const status = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** The bucket answers, or the reason it cannot be used. A 403 is not final: HeadBucket needs s3:ListBucket, uploads do not. */
export async function checkBucket(client: S3Client, target: S3Target): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: target.bucket }));
  } catch (error) {
    if (status(error) === 403) return;
    throw s3Error(error, target, `checking the bucket "${target.bucket}"`);
  }
}

/** Whether the object is there with this size (and this hash, when it carries ours). */
async function present(client: S3Client, target: S3Target, key: string, zip: ZipToUpload): Promise<boolean> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: target.bucket, Key: key }));
    return head.ContentLength === zip.bytes && (head.Metadata?.sha256 === undefined || head.Metadata.sha256 === zip.sha256);
  } catch (error) {
    // 404: not there; 403: this role may not read it (no s3:GetObject/ListBucket), so upload it.
    if (status(error) === 404 || status(error) === 403) return false;
    throw s3Error(error, target, `checking s3://${target.bucket}/${key}`);
  }
}

export async function uploadZip(client: S3Client, target: S3Target, zip: ZipToUpload,
  options: { onProgress?: (progress: UploadProgress) => void; signal?: AbortSignal } = {}): Promise<UploadOutcome> {
  const key = objectKey(target, zip.sha256);
  const multipart = zip.bytes > PART_BYTES;
  if (await present(client, target, key, zip)) return { bucket: target.bucket, key, uploaded: false, multipart: false, bytes: zip.bytes };
  const upload = new Upload({
    client,
    partSize: PART_BYTES,
    queueSize: PARTS_AT_ONCE,
    leavePartsOnError: false,
    params: {
      Bucket: target.bucket, Key: key, Body: createReadStream(zip.file), ContentType: 'application/zip',
      Metadata: { sha256: zip.sha256 },
      ...(target.sse ? { ServerSideEncryption: target.sse } : {}),
      ...(target.kmsKeyId ? { SSEKMSKeyId: target.kmsKeyId } : {}),
    },
  });
  const parts = new Set<number>();
  const partCount = Math.ceil(zip.bytes / PART_BYTES);
  upload.on('httpUploadProgress', (p) => {
    if (p.part !== undefined) parts.add(p.part);
    options.onProgress?.({ sent: p.loaded ?? 0, total: p.total ?? zip.bytes, parts: multipart ? { done: parts.size, of: partCount } : undefined });
  });
  const abort = () => { void upload.abort().catch(() => undefined); };
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    await upload.done();
  } catch (error) {
    throw s3Error(error, target, `uploading ${zip.label} to s3://${target.bucket}/${key}`);
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  if (!(await present(client, target, key, zip))) {
    throw new ExternalError('S3_UPLOAD_UNVERIFIED', `Uploaded ${zip.label} to s3://${target.bucket}/${key}, but the object there is not ${zip.bytes} bytes with sha256 ${zip.sha256}. Run the command again; if it repeats, the server does not store objects faithfully.`);
  }
  return { bucket: target.bucket, key, uploaded: true, multipart, bytes: zip.bytes };
}
