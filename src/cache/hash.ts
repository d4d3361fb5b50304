// Content hashes for cache keys: of source entries (path, kind, mode, bytes) and of plain values.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { SourceEntry } from '../package/sources.js';

export function sha256(...parts: readonly (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(typeof part === 'string' ? part : part).update('\0');
  return hash.digest('hex');
}

/** sha256 (hex) of a file, streamed. */
export async function fileHash(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** One hash of a tree: every entry's path, kind, exec bit, link target and content. */
export async function hashEntries(entries: readonly SourceEntry[]): Promise<string> {
  const lines = await Promise.all(entries.map(async (e) =>
    `${e.path}\t${e.kind}\t${e.executable ? 'x' : '-'}\t${e.kind === 'file' ? await fileHash(e.absolute) : e.linkTarget ?? ''}`));
  return sha256(lines.join('\n'));
}

/** A stable hash of a JSON-able value (object keys sorted). */
export function hashValue(value: unknown): string {
  const stable = (v: unknown): unknown => Array.isArray(v) ? v.map(stable)
    : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, stable((v as Record<string, unknown>)[k])])) : v;
  return sha256(JSON.stringify(stable(value)));
}
