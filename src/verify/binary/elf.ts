// Reads what verification needs from an ELF file: class, byte order, OS ABI, machine, interpreter,
// DT_NEEDED, RPATH/RUNPATH, version needs (.gnu.version_r) and dynamic symbol names.
// Works from program headers and dynamic tags (section headers only as a fallback), so a large
// binary is usually parsed from its first few pages. Every count and offset is bounded; a part that
// cannot be read becomes a `problem` and the rest is still returned.
import { type ByteView, Malformed, NeedMore } from './bytes.js';

export interface ElfSymbol {
  readonly name: string;
  readonly defined: boolean;
  /** For an imported symbol, the version it needs (e.g. `GLIBC_2.38`), if any. */
  readonly version?: string;
}

export interface ElfVersionNeed {
  /** The library the versions are needed from, e.g. `libc.so.6`. */
  readonly file: string;
  readonly version: string;
}

export interface ElfFile {
  readonly format: 'elf';
  readonly bits: 32 | 64;
  readonly littleEndian: boolean;
  readonly osAbi: number;
  readonly type: number;
  readonly machine: number;
  readonly interpreter?: string;
  readonly soname?: string;
  readonly needed: readonly string[];
  readonly rpath: readonly string[];
  readonly runpath: readonly string[];
  readonly versionNeeds: readonly ElfVersionNeed[];
  readonly symbols: readonly ElfSymbol[];
  /** Parts of the file that could not be read, each with a reason. Empty for a well-formed file. */
  readonly problems: readonly string[];
}

export const ELF_TYPE = { relocatable: 1, executable: 2, shared: 3, core: 4 } as const;

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const SHT_DYNSYM = 11;
const DT = {
  NULL: 0, NEEDED: 1, HASH: 4, STRTAB: 5, SYMTAB: 6, STRSZ: 10, SYMENT: 11, SONAME: 14, RPATH: 15, RUNPATH: 29,
  GNU_HASH: 0x6ffffef5, VERSYM: 0x6ffffff0, VERNEED: 0x6ffffffe, VERNEEDNUM: 0x6fffffff,
} as const;
const MAX_HEADERS = 4096;
const MAX_DYNAMIC = 65_536;
const MAX_SYMBOLS = 500_000;
const MAX_VERNEED = 4096;

interface Segment { offset: number; vaddr: number; filesz: number }

/** True when the bytes start with the ELF magic. */
export function isElf(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

/**
 * Parses an ELF file. Throws NeedMore when a needed byte lies beyond the loaded prefix, and
 * OutOfRange or Malformed only when not even the file header can be read.
 */
export function parseElf(view: ByteView): ElfFile {
  const bitsByte = view.u8(4);
  const dataByte = view.u8(5);
  if ((bitsByte !== 1 && bitsByte !== 2) || (dataByte !== 1 && dataByte !== 2)) throw new Malformed(`invalid ELF class ${bitsByte} / data ${dataByte}`);
  const bits = bitsByte === 1 ? 32 : 64;
  view.littleEndian = dataByte === 1;
  const is64 = bits === 64;
  const word = (offset: number): number => (is64 ? view.u64(offset) : view.u32(offset));
  const header = {
    osAbi: view.u8(7),
    type: view.u16(16),
    machine: view.u16(18),
    phoff: word(is64 ? 32 : 28),
    shoff: word(is64 ? 40 : 32),
    phentsize: view.u16(is64 ? 54 : 42),
    phnum: view.u16(is64 ? 56 : 44),
    shentsize: view.u16(is64 ? 58 : 46),
    shnum: view.u16(is64 ? 60 : 48),
  };
  const problems: string[] = [];
  const attempt = <T>(what: string, read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (error instanceof NeedMore) throw error;
      problems.push(`${what}: ${(error as Error).message}`);
      return undefined;
    }
  };

  const segments: Segment[] = [];
  let dynamic: Segment | undefined;
  let interpreter: string | undefined;
  attempt('program headers', () => {
    if (header.phnum === 0) return;
    if (header.phnum > MAX_HEADERS || header.phentsize < (is64 ? 56 : 32)) throw new Malformed(`implausible program header table (${header.phnum} × ${header.phentsize})`);
    view.check(header.phoff, header.phnum * header.phentsize);
    for (let i = 0; i < header.phnum; i++) {
      const at = header.phoff + i * header.phentsize;
      const type = view.u32(at);
      const segment = is64
        ? { offset: view.u64(at + 8), vaddr: view.u64(at + 16), filesz: view.u64(at + 32) }
        : { offset: view.u32(at + 4), vaddr: view.u32(at + 8), filesz: view.u32(at + 16) };
      if (type === PT_LOAD) segments.push(segment);
      else if (type === PT_DYNAMIC) dynamic = segment;
      else if (type === PT_INTERP) interpreter = attempt('interpreter', () => view.cstring(segment.offset, Math.min(segment.filesz, 4096)));
    }
  });

  const tags = dynamic ? attempt('dynamic section', () => readDynamic(view, dynamic!, is64)) ?? [] : [];
  const toOffset = (vaddr: number): number => {
    for (const s of segments) if (vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz) return s.offset + (vaddr - s.vaddr);
    throw new Malformed(`address 0x${vaddr.toString(16)} is in no loaded segment`);
  };
  const first = (tag: number): number | undefined => tags.find(([t]) => t === tag)?.[1];
  const all = (tag: number): number[] => tags.filter(([t]) => t === tag).map(([, v]) => v);

  const strtabAddress = first(DT.STRTAB);
  const strtab = strtabAddress === undefined ? undefined : attempt('string table', () => ({ offset: toOffset(strtabAddress), size: first(DT.STRSZ) ?? view.total }));
  const str = (index: number): string => {
    if (!strtab) throw new Malformed('no string table');
    if (index >= strtab.size) throw new Malformed(`string index ${index} beyond the string table`);
    return view.cstring(strtab.offset + index, 4096, strtab.offset + strtab.size);
  };
  const strings = (tag: number, what: string): string[] =>
    all(tag).flatMap((index) => attempt(what, () => str(index)) ?? []);

  const splitPaths = (values: string[]): string[] => values.flatMap((v) => v.split(':')).filter((p) => p !== '');
  const versionNeedsResult = attempt('version needs', () => readVersionNeeds(view, first(DT.VERNEED), first(DT.VERNEEDNUM), toOffset, str)) ?? { needs: [], byIndex: new Map<number, string>() };
  const symbols = attempt('dynamic symbols', () => readSymbols(view, { is64, tags: { first }, toOffset, str, header, versionByIndex: versionNeedsResult.byIndex })) ?? [];

  return {
    format: 'elf',
    bits,
    littleEndian: view.littleEndian,
    osAbi: header.osAbi,
    type: header.type,
    machine: header.machine,
    interpreter,
    soname: strings(DT.SONAME, 'soname')[0],
    needed: strings(DT.NEEDED, 'needed library'),
    rpath: splitPaths(strings(DT.RPATH, 'rpath')),
    runpath: splitPaths(strings(DT.RUNPATH, 'runpath')),
    versionNeeds: versionNeedsResult.needs,
    symbols,
    problems,
  };
}

function readDynamic(view: ByteView, dynamic: Segment, is64: boolean): Array<[number, number]> {
  const size = is64 ? 16 : 8;
  const count = Math.min(Math.floor(dynamic.filesz / size), MAX_DYNAMIC);
  view.check(dynamic.offset, count * size);
  const tags: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    const at = dynamic.offset + i * size;
    const tag = is64 ? view.i64(at) : view.u32(at);
    if (tag === DT.NULL) break;
    tags.push([tag, is64 ? view.i64(at + 8) : view.u32(at + 4)]);
  }
  return tags;
}

function readVersionNeeds(
  view: ByteView, address: number | undefined, count: number | undefined,
  toOffset: (vaddr: number) => number, str: (index: number) => string,
): { needs: ElfVersionNeed[]; byIndex: Map<number, string> } {
  const needs: ElfVersionNeed[] = [];
  const byIndex = new Map<number, string>();
  if (address === undefined) return { needs, byIndex };
  let at = toOffset(address);
  const limit = Math.min(count ?? MAX_VERNEED, MAX_VERNEED);
  let auxSeen = 0;
  for (let i = 0; i < limit; i++) {
    const auxCount = view.u16(at + 2);
    const file = str(view.u32(at + 4));
    let aux = at + view.u32(at + 8);
    for (let j = 0; j < auxCount && auxSeen < MAX_VERNEED * 8; j++, auxSeen++) {
      const version = str(view.u32(aux + 8));
      needs.push({ file, version });
      byIndex.set(view.u16(aux + 6) & 0x7fff, version);
      const next = view.u32(aux + 12);
      if (next === 0) break;
      aux += next;
    }
    const next = view.u32(at + 12);
    if (next === 0) break;
    at += next;
  }
  return { needs, byIndex };
}

interface SymbolContext {
  is64: boolean;
  tags: { first: (tag: number) => number | undefined };
  toOffset: (vaddr: number) => number;
  str: (index: number) => string;
  header: { shoff: number; shentsize: number; shnum: number };
  versionByIndex: Map<number, string>;
}

function readSymbols(view: ByteView, context: SymbolContext): ElfSymbol[] {
  const { is64, tags, toOffset, str, versionByIndex } = context;
  const symtabAddress = tags.first(DT.SYMTAB);
  if (symtabAddress === undefined) return [];
  const entrySize = tags.first(DT.SYMENT) ?? (is64 ? 24 : 16);
  if (entrySize < (is64 ? 24 : 16) || entrySize > 256) throw new Malformed(`implausible symbol size ${entrySize}`);
  const table = toOffset(symtabAddress);
  const count = Math.min(symbolCount(view, context), MAX_SYMBOLS);
  view.check(table, count * entrySize);
  const versym = tags.first(DT.VERSYM);
  const versymOffset = versym === undefined ? undefined : toOffset(versym);
  const symbols: ElfSymbol[] = [];
  for (let i = 1; i < count; i++) {
    const at = table + i * entrySize;
    const nameIndex = view.u32(at);
    if (nameIndex === 0) continue;
    const sectionIndex = view.u16(at + (is64 ? 6 : 14));
    const defined = sectionIndex !== 0;
    let version: string | undefined;
    if (!defined && versymOffset !== undefined) version = versionByIndex.get(view.u16(versymOffset + i * 2) & 0x7fff);
    symbols.push(version === undefined ? { name: str(nameIndex), defined } : { name: str(nameIndex), defined, version });
  }
  return symbols;
}

/** The number of dynamic symbols: from DT_HASH, else DT_GNU_HASH, else the .dynsym section header. */
function symbolCount(view: ByteView, { is64, tags, toOffset, header }: SymbolContext): number {
  const hash = tags.first(DT.HASH);
  if (hash !== undefined) return view.u32(toOffset(hash) + 4);
  const gnuHash = tags.first(DT.GNU_HASH);
  if (gnuHash !== undefined) return gnuHashCount(view, toOffset(gnuHash), is64);
  if (header.shnum === 0 || header.shnum > MAX_HEADERS || header.shentsize < (is64 ? 64 : 40)) return 0;
  for (let i = 0; i < header.shnum; i++) {
    const at = header.shoff + i * header.shentsize;
    if (view.u32(at + 4) !== SHT_DYNSYM) continue;
    const size = is64 ? view.u64(at + 32) : view.u32(at + 20);
    const entsize = is64 ? view.u64(at + 56) : view.u32(at + 36);
    return entsize > 0 ? Math.floor(size / entsize) : 0;
  }
  return 0;
}

function gnuHashCount(view: ByteView, at: number, is64: boolean): number {
  const buckets = view.u32(at);
  const symbolOffset = view.u32(at + 4);
  const bloomWords = view.u32(at + 8);
  if (buckets > 1 << 24 || bloomWords > 1 << 24) throw new Malformed('implausible GNU hash table');
  const bucketStart = at + 16 + bloomWords * (is64 ? 8 : 4);
  view.check(bucketStart, buckets * 4);
  let last = 0;
  for (let i = 0; i < buckets; i++) last = Math.max(last, view.u32(bucketStart + i * 4));
  if (last < symbolOffset) return symbolOffset;
  const chains = bucketStart + buckets * 4;
  for (let index = last; index - last < MAX_SYMBOLS; index++) {
    if (view.u32(chains + (index - symbolOffset) * 4) & 1) return index + 1;
  }
  throw new Malformed('unterminated GNU hash chain');
}
