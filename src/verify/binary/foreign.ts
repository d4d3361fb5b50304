// Recognises the native formats that never load on Linux: Mach-O (thin and fat) and PE.
// Reads only their headers, enough to say in a finding what the file was built for.
import { type ByteView, Malformed } from './bytes.js';

export interface MachOFile {
  readonly format: 'macho';
  readonly fat: boolean;
  /** CPU of each slice, e.g. ['x86_64', 'arm64']. */
  readonly architectures: readonly string[];
  /** MH_OBJECT = 1, MH_EXECUTE = 2, MH_DYLIB = 6, MH_BUNDLE = 8, MH_DSYM = 10 (thin files only). */
  readonly fileType?: number;
}

export interface PeFile {
  readonly format: 'pe';
  readonly machine: string;
  readonly dll: boolean;
}

const MACHO_MAGICS: Record<number, { little: boolean; is64: boolean }> = {
  0xfeedface: { little: false, is64: false },
  0xcefaedfe: { little: true, is64: false },
  0xfeedfacf: { little: false, is64: true },
  0xcffaedfe: { little: true, is64: true },
};
const FAT_MAGIC = 0xcafebabe;
const FAT_MAGIC_64 = 0xcafebabf;
/** Java class files share 0xCAFEBABE; their next word is a class version (>= 45), never a small arch count. */
const MAX_FAT_ARCHES = 30;

const MACHO_CPUS: Record<number, string> = {
  7: 'i386', 0x01000007: 'x86_64', 12: 'arm', 0x0100000c: 'arm64', 0x0200000c: 'arm64_32', 18: 'ppc', 0x01000012: 'ppc64',
};
const PE_MACHINES: Record<number, string> = { 0x14c: 'i386', 0x8664: 'x86_64', 0xaa64: 'arm64', 0x1c4: 'arm', 0x200: 'ia64' };

export function isMachO(head: Buffer): boolean {
  if (head.length < 8) return false;
  const magic = head.readUInt32BE(0);
  if (magic in MACHO_MAGICS) return true;
  if (magic !== FAT_MAGIC && magic !== FAT_MAGIC_64) return false;
  const count = head.readUInt32BE(4);
  return count > 0 && count <= MAX_FAT_ARCHES;
}

/** 'MZ' starts DOS and PE executables; whether it is PE is only known after reading e_lfanew. */
export function mayBePe(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a;
}

export function parseMachO(view: ByteView): MachOFile {
  view.littleEndian = false;
  const magic = view.u32(0);
  const thin = MACHO_MAGICS[magic];
  if (thin) {
    view.littleEndian = thin.little;
    return { format: 'macho', fat: false, architectures: [cpuName(view.u32(4))], fileType: view.u32(12) };
  }
  const count = view.u32(4);
  if ((magic !== FAT_MAGIC && magic !== FAT_MAGIC_64) || count === 0 || count > MAX_FAT_ARCHES) throw new Malformed('not a Mach-O file');
  const stride = magic === FAT_MAGIC_64 ? 32 : 20;
  const architectures: string[] = [];
  for (let i = 0; i < count; i++) architectures.push(cpuName(view.u32(8 + i * stride)));
  return { format: 'macho', fat: true, architectures };
}

/** A PE file's header, or undefined when the 'MZ' file has no PE header (plain DOS or just text). */
export function parsePe(view: ByteView): PeFile | undefined {
  view.littleEndian = true;
  const peOffset = view.u32(0x3c);
  if (peOffset < 0x40 || peOffset + 24 > view.total || peOffset > 1 << 20) return undefined;
  if (view.u32(peOffset) !== 0x00004550) return undefined;
  const machine = view.u16(peOffset + 4);
  const characteristics = view.u16(peOffset + 22);
  return { format: 'pe', machine: PE_MACHINES[machine] ?? `machine 0x${machine.toString(16)}`, dll: (characteristics & 0x2000) !== 0 };
}

function cpuName(cpu: number): string {
  return MACHO_CPUS[cpu] ?? `cpu 0x${cpu.toString(16)}`;
}
