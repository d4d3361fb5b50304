// Finds native binaries by their magic bytes and reads them, loading only as long a prefix of the
// file as the parser asks for. Never throws for bad input: the result says why it could not read.
import { ByteView, NeedMore } from './bytes.js';
import { isElf, parseElf, type ElfFile } from './elf.js';
import { isMachO, mayBePe, parseMachO, parsePe, type MachOFile, type PeFile } from './foreign.js';

export type NativeBinary = ElfFile | MachOFile | PeFile;
export type BinaryReading =
  | { readonly kind: 'binary'; readonly binary: NativeBinary }
  | { readonly kind: 'unparseable'; readonly format: string; readonly reason: string }
  | { readonly kind: 'other' };

/** How many leading bytes decide whether a file is a candidate binary. */
export const MAGIC_BYTES = 64;
const FIRST_PREFIX = 64 * 1024;
const MAX_ROUNDS = 48;

type Candidate = 'ELF' | 'Mach-O' | 'PE';

export function sniff(head: Buffer): Candidate | undefined {
  if (isElf(head)) return 'ELF';
  if (isMachO(head)) return 'Mach-O';
  if (mayBePe(head)) return 'PE';
  return undefined;
}

/**
 * Reads a binary of `total` bytes whose first bytes are `head`; `load(n)` returns its first n bytes
 * (and may throw, e.g. for a corrupt zip entry).
 */
export function readBinary(head: Buffer, total: number, load: (length: number) => Buffer): BinaryReading {
  const candidate = sniff(head);
  if (!candidate) return { kind: 'other' };
  // Mach-O and PE headers sit in the first kilobytes; ELF needs its program headers first, then jumps.
  let length = Math.min(total, candidate === 'ELF' ? FIRST_PREFIX : 4096);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    try {
      const view = new ByteView(load(length), total);
      const binary = candidate === 'ELF' ? parseElf(view) : candidate === 'Mach-O' ? parseMachO(view) : parsePe(view);
      return binary ? { kind: 'binary', binary } : { kind: 'other' };
    } catch (error) {
      if (error instanceof NeedMore && error.end <= total && error.end > length) {
        length = Math.min(total, Math.max(error.end, length * 2));
        continue;
      }
      if (candidate === 'PE') return { kind: 'other' };
      return { kind: 'unparseable', format: candidate, reason: (error as Error).message };
    }
  }
  return { kind: 'unparseable', format: candidate, reason: 'the file\'s headers point back and forth too often' };
}
