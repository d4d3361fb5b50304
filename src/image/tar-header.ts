// Byte layout of the layer tar's headers: USTAR, plus a PAX extended header only for an entry
// USTAR cannot hold (a name or link over 100 bytes or not ASCII, a file of 8 GiB or more).
// Pure encoders, no I/O: every field but the name, size and type is a constant.

export const BLOCK = 512;
/** Two zero blocks end the archive; no padding to a 10 KiB record (as Go's archive/tar, which Docker uses). */
export const END_OF_ARCHIVE = new Uint8Array(2 * BLOCK);

export type TarType = 'file' | 'directory' | 'symlink';

export interface TarHeaderInput {
  /** The stored name: '/'-separated, relative, directories ending in '/'. */
  name: Uint8Array;
  type: TarType;
  /** Permission bits only: 0o644, 0o755 (0o777 for symlinks). */
  mode: number;
  size: number;
  linkTarget?: Uint8Array;
  /** Seconds since 1970-01-01 UTC. */
  mtime: number;
}

const TYPE_FLAG: Readonly<Record<TarType, number>> = { file: 0x30, directory: 0x35, symlink: 0x32 };
const PAX_FLAG = 0x78;
/** The fixed name of every PAX header entry (Python's tarfile uses it too): no pid, no entry name in it. */
const PAX_NAME = new TextEncoder().encode('././@PaxHeader');
/** The largest size an 11-digit octal field holds. */
const MAX_OCTAL_SIZE = 0o77777777777;
const NAME_BYTES = 100;

function isAscii(bytes: Uint8Array): boolean {
  return bytes.every((b) => b >= 0x20 && b < 0x7f);
}

function octal(header: Uint8Array, offset: number, width: number, value: number): void {
  // width - 1 digits, then NUL (POSIX: "terminated by a space or NUL"; Go and GNU write NUL).
  const digits = value.toString(8).padStart(width - 1, '0');
  header.set(new TextEncoder().encode(digits), offset);
  header[offset + width - 1] = 0;
}

function block(name: Uint8Array, typeFlag: number, mode: number, size: number, mtime: number, linkName?: Uint8Array): Uint8Array {
  const header = new Uint8Array(BLOCK);
  header.set(name.subarray(0, NAME_BYTES), 0);
  octal(header, 100, 8, mode);
  octal(header, 108, 8, 0); // uid
  octal(header, 116, 8, 0); // gid
  octal(header, 124, 12, size);
  octal(header, 136, 12, mtime);
  header.fill(0x20, 148, 156); // checksum placeholder: eight spaces while summing
  header[156] = typeFlag;
  if (linkName) header.set(linkName.subarray(0, NAME_BYTES), 157);
  header.set(new TextEncoder().encode('ustar\u000000'), 257); // magic "ustar\0", version "00"
  // uname and gname (265, 297) stay empty; devmajor/devminor are zero.
  octal(header, 329, 8, 0);
  octal(header, 337, 8, 0);
  // prefix (345) stays empty: a name that needs it gets a PAX path instead.
  const sum = header.reduce((total, byte) => total + byte, 0);
  octal(header, 148, 7, sum);
  header[155] = 0x20;
  return header;
}

/** One PAX record, "<length> <key>=<value>\n", whose length counts itself. */
function paxRecord(key: string, value: Uint8Array): Uint8Array {
  const encoder = new TextEncoder();
  const tail = encoder.encode(` ${key}=`);
  const rest = tail.length + value.length + 1;
  let length = rest + 1;
  while (String(length).length + rest !== length) length = String(length).length + rest;
  const record = new Uint8Array(length);
  record.set(encoder.encode(String(length)), 0);
  record.set(tail, String(length).length);
  record.set(value, String(length).length + tail.length);
  record[length - 1] = 0x0a;
  return record;
}

function padded(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / BLOCK) * BLOCK);
  out.set(bytes);
  return out;
}

/** The PAX records an entry needs, sorted by key; empty when USTAR holds it. */
function paxRecords(entry: TarHeaderInput): Uint8Array[] {
  const records: Uint8Array[] = [];
  if (entry.linkTarget && (entry.linkTarget.length > NAME_BYTES || !isAscii(entry.linkTarget))) records.push(paxRecord('linkpath', entry.linkTarget));
  if (entry.name.length > NAME_BYTES || !isAscii(entry.name)) records.push(paxRecord('path', entry.name));
  if (entry.size > MAX_OCTAL_SIZE) records.push(paxRecord('size', new TextEncoder().encode(String(entry.size))));
  return records;
}

/** The header blocks of one entry (a PAX header first when needed), without its data. */
export function tarHeader(entry: TarHeaderInput): Uint8Array {
  const records = paxRecords(entry);
  const main = block(entry.name, TYPE_FLAG[entry.type], entry.mode, Math.min(entry.size, MAX_OCTAL_SIZE), entry.mtime, entry.linkTarget);
  if (records.length === 0) return main;
  const paxData = padded(concat(records));
  const paxLength = records.reduce((sum, r) => sum + r.length, 0);
  return concat([block(PAX_NAME, PAX_FLAG, 0o644, paxLength, entry.mtime), paxData, main]);
}

/** Bytes the entry takes in the archive: its headers plus its data padded to a block. */
export function tarEntryLength(entry: TarHeaderInput): number {
  const records = paxRecords(entry);
  const paxLength = records.reduce((sum, r) => sum + r.length, 0);
  const headers = BLOCK + (records.length > 0 ? BLOCK + Math.ceil(paxLength / BLOCK) * BLOCK : 0);
  return headers + Math.ceil(entry.size / BLOCK) * BLOCK;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
