// Content digests as OCI writes them ("sha256:<64 hex>"), and the one hash lambda-pack uses for them.
import { createHash } from 'node:crypto';
import { InternalError } from '../errors.js';

export type Digest = `sha256:${string}`;

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && DIGEST.test(value);
}

export function sha256Digest(bytes: Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The hex part, for file names; refuses anything that is not a sha256 digest (a path in disguise). */
export function hexOf(digest: string): string {
  if (!isDigest(digest)) throw new InternalError('BAD_DIGEST', `not a sha256 digest: ${JSON.stringify(digest)}`);
  return digest.slice('sha256:'.length);
}
