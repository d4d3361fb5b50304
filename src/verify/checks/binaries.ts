// Per-binary checks: NOT_LINUX_BINARY, ARCH_MISMATCH, MUSL_BINARY, GLIBC_TOO_NEW, NODE_ABI_MISMATCH,
// plus UNPARSEABLE_BINARY / UNCHECKED_ENTRY (warnings) for what could not be read.
import type { Runtime } from '../../runtimes.js';
import { ELF_TYPE, type ElfFile } from '../binary/elf.js';
import type { NativeBinary } from '../binary/read.js';
import { finding, type Finding } from '../findings.js';
import type { PackageEntry } from '../package-tree.js';
import type { CheckContext } from './context.js';
import { versionsTooNew } from './versions.js';

const MACHINES: Record<number, string> = {
  3: 'x86 (32-bit)', 8: 'MIPS', 20: 'PowerPC', 21: 'PowerPC64', 22: 's390x', 40: 'ARM (32-bit)', 62: 'x86_64', 183: 'arm64/aarch64', 243: 'RISC-V', 258: 'LoongArch',
};
const OS_ABIS: Record<number, string> = { 1: 'HP-UX', 2: 'NetBSD', 6: 'Solaris', 7: 'AIX', 9: 'FreeBSD', 12: 'OpenBSD' };
const MACHO_TYPES_NEVER_LOADED = new Set([1, 10]); // MH_OBJECT, MH_DSYM

export function machineName(machine: number): string {
  return MACHINES[machine] ?? `machine ${machine}`;
}

export interface LoadableElf {
  readonly entry: PackageEntry;
  readonly elf: ElfFile;
}

/**
 * ELF executables and shared objects Lambda could load: for Linux, this architecture and glibc.
 * The others get their finding from checkBinaries.
 */
export function loadableElves(context: CheckContext): LoadableElf[] {
  return context.binaries.flatMap(({ entry, reading }) =>
    reading.kind === 'binary' && reading.binary.format === 'elf' && loadable(reading.binary) && blockingProblem(entry, reading.binary, context) === undefined
      ? [{ entry, elf: reading.binary }]
      : []);
}

/** Executables and shared objects; object files and core dumps are never loaded. */
function loadable(elf: ElfFile): boolean {
  return elf.type === ELF_TYPE.executable || elf.type === ELF_TYPE.shared;
}

export function isMusl(elf: ElfFile): boolean {
  return elf.needed.some((n) => n === 'libc.so' || /^libc\.musl-[^/]+\.so\.1$/.test(n)) || (elf.interpreter ?? '').includes('ld-musl');
}

function blockingProblem(entry: PackageEntry, binary: NativeBinary, { arch }: CheckContext): Finding | undefined {
  const path = entry.name;
  if (binary.format === 'macho') {
    if (!binary.fat && MACHO_TYPES_NEVER_LOADED.has(binary.fileType ?? 0)) return undefined;
    return finding('NOT_LINUX_BINARY', path, `a macOS (Mach-O${binary.fat ? ' universal' : ''}, ${binary.architectures.join(' + ')}) binary; Lambda runs Linux and cannot load it`);
  }
  if (binary.format === 'pe') {
    return finding('NOT_LINUX_BINARY', path, `a Windows (PE ${binary.dll ? 'DLL' : 'executable'}, ${binary.machine}) binary; Lambda runs Linux and cannot load it`);
  }
  if (!loadable(binary)) return undefined;
  const os = OS_ABIS[binary.osAbi];
  if (os) return finding('NOT_LINUX_BINARY', path, `an ELF binary for ${os}; Lambda runs Linux`);
  if (binary.machine !== arch.elfMachine) {
    return finding('ARCH_MISMATCH', path, `built for ${machineName(binary.machine)} (${binary.bits}-bit ELF), but the function runs on ${arch.name}`);
  }
  if (isMusl(binary)) {
    const via = binary.needed.find((n) => n.startsWith('libc.')) ?? binary.interpreter;
    return finding('MUSL_BINARY', path, `linked against musl libc (${via}); Lambda's Amazon Linux provides glibc only`);
  }
  return undefined;
}

export function checkBinaries(context: CheckContext): Finding[] {
  const findings: Finding[] = [];
  for (const { entry, reading } of context.binaries) {
    if (reading.kind === 'unparseable') {
      findings.push(finding('UNPARSEABLE_BINARY', entry.name, `looks like ${reading.format} but could not be read (${reading.reason}); not verified`));
      continue;
    }
    if (reading.kind !== 'binary') continue;
    const blocking = blockingProblem(entry, reading.binary, context);
    if (blocking) {
      findings.push(blocking);
      continue;
    }
    if (reading.binary.format !== 'elf' || !loadable(reading.binary)) continue;
    const elf = reading.binary;
    if (elf.problems.length) findings.push(finding('UNPARSEABLE_BINARY', entry.name, `parts of this ELF file could not be read (${elf.problems.join('; ')}); those parts were not verified`));
    findings.push(...glibcFindings(entry, elf, context.runtime), ...nodeAbiFindings(entry, elf, context.runtime));
  }
  for (const { entry, reason } of context.unreadable) {
    findings.push(finding('UNCHECKED_ENTRY', entry.name, `content could not be read (${reason}); not verified`));
  }
  return findings;
}

function glibcFindings(entry: PackageEntry, elf: ElfFile, runtime: Runtime): Finding[] {
  const tooNew = versionsTooNew(elf.versionNeeds, elf.symbols, 'GLIBC', runtime.glibc);
  if (!tooNew) return [];
  return [finding('GLIBC_TOO_NEW', entry.name, `needs ${tooNew.newest}${tooNew.examples}, but ${runtime.id} (${runtime.os.toUpperCase()}) provides glibc ${runtime.glibc.join('.')}`)];
}

const NODE_REGISTER = /^node_register_module_v(\d+)$/;

function nodeAbiFindings(entry: PackageEntry, elf: ElfFile, runtime: Runtime): Finding[] {
  if (runtime.nodeModuleVersion === undefined) return [];
  if (elf.symbols.some((s) => s.defined && s.name.startsWith('napi_register_module_v'))) return [];
  for (const symbol of elf.symbols) {
    const match = symbol.defined ? NODE_REGISTER.exec(symbol.name) : null;
    if (!match || Number(match[1]) === runtime.nodeModuleVersion) continue;
    return [finding('NODE_ABI_MISMATCH', entry.name, `a Node.js addon for NODE_MODULE_VERSION ${match[1]} (exports ${symbol.name}), but ${runtime.id} is NODE_MODULE_VERSION ${runtime.nodeModuleVersion}`)];
  }
  return [];
}
