// Reads finished zips with Info-ZIP's unzip, independent of lambda-pack's own code.
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export async function zipEntries(zip: string): Promise<string[]> {
  const { stdout } = await execa('unzip', ['-Z1', zip]);
  return stdout.split('\n').filter(Boolean);
}

export async function extractZip(zip: string): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-unzip-'));
  await execa('unzip', ['-q', zip, '-d', dir]);
  return dir;
}

export async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** ELF e_machine of a file (62 x86_64, 183 aarch64), or undefined when it is not ELF. */
export async function elfMachine(file: string): Promise<number | undefined> {
  const bytes = await readFile(file);
  if (bytes.length < 20 || bytes.readUInt32BE(0) !== 0x7f454c46) return undefined;
  return bytes[5] === 1 ? bytes.readUInt16LE(18) : bytes.readUInt16BE(18);
}

/** The section names of a 64-bit little-endian ELF file (x86_64, aarch64). */
export async function elfSections(file: string): Promise<string[]> {
  const bytes = await readFile(file);
  const shoff = Number(bytes.readBigUInt64LE(0x28));
  const size = bytes.readUInt16LE(0x3a);
  const count = bytes.readUInt16LE(0x3c);
  const header = (i: number) => shoff + i * size;
  const names = header(bytes.readUInt16LE(0x3e));
  const strings = Number(bytes.readBigUInt64LE(names + 0x18));
  return Array.from({ length: count }, (_, i) => {
    const start = strings + bytes.readUInt32LE(header(i));
    return bytes.toString('latin1', start, bytes.indexOf(0, start));
  }).filter(Boolean);
}

/** One entry's content, as text. */
export async function readZipEntry(zip: string, entry: string): Promise<string> {
  const { stdout } = await execa('unzip', ['-p', zip, entry], { stripFinalNewline: false });
  return String(stdout);
}

/** Each entry's Unix mode with its file type (0o100755, 0o120777 …), as zipinfo shows it. */
export async function zipEntryModes(zip: string): Promise<Map<string, number>> {
  const { stdout } = await execa('unzip', ['-Z', zip]);
  const modes = new Map<string, number>();
  for (const line of String(stdout).split('\n')) {
    const match = /^([-dl])([rwxsStT-]{9})\s+\S+\s+unx\s+\d+\s+\S+\s+\S+\s+\S+\s+\S+\s+(.+)$/.exec(line);
    if (!match) continue;
    const type = { '-': 0o100000, d: 0o40000, l: 0o120000 }[match[1] as '-' | 'd' | 'l'];
    const bits = [...match[2]!].reduce((mode, c, i) => mode | (c === '-' ? 0 : 1 << (8 - i)), 0);
    modes.set(match[3]!.replace(/\/$/, ''), type | bits);
  }
  return modes;
}
