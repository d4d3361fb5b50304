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
