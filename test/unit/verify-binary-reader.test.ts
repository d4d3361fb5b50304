// The binary reader on real third-party files (npm prebuilds, Debian packages), and on truncated and
// garbled copies of them: it must never throw and never take long.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ElfFile } from '../../src/verify/binary/elf.js';
import { readBinary, sniff, type BinaryReading, type NativeBinary } from '../../src/verify/binary/read.js';
import { corpusDir, corpusFile } from '../verify-corpus/corpus.js';

beforeAll(() => void corpusDir(), 15 * 60_000);

function read(bytes: Buffer): BinaryReading {
  return readBinary(bytes.subarray(0, 64), bytes.length, (n) => bytes.subarray(0, n));
}

function binary(path: string): NativeBinary {
  const reading = read(readFileSync(path));
  if (reading.kind !== 'binary') throw new Error(`${path}: ${JSON.stringify(reading)}`);
  return reading.binary;
}

function elf(path: string): ElfFile {
  const b = binary(path);
  if (b.format !== 'elf') throw new Error(`${path} is ${b.format}`);
  return b;
}

const files = {
  treeTrixieAmd64: () => corpusFile('deb/trixie/amd64/tree', /^usr\/bin\/tree$/),
  treeBookwormArm64: () => corpusFile('deb/bookworm/arm64/tree', /^usr\/bin\/tree$/),
  treeBookwormI386: () => corpusFile('deb/bookworm/i386/tree', /^usr\/bin\/tree$/),
  libyaml: () => corpusFile('deb/bookworm/amd64/libyaml-0-2', /libyaml-0\.so\.2\.\d+\.\d+$/),
  yamlExtension: () => corpusFile('deb/bookworm/amd64/python3-yaml', /_yaml\.cpython-311-x86_64-linux-gnu\.so$/),
  sharp: () => corpusFile('npm/img-sharp-linux-x64', /\.node$/),
  pprof108: () => corpusFile('npm/datadog-pprof', /prebuilds\/linux-x64\/dd_pprof\.node\.abi108\.node$/),
  pprofMusl: () => corpusFile('npm/datadog-pprof', /prebuilds\/linux-x64\/dd_pprof\.musl\.node\.abi127\.node$/),
  esbuildLinux: () => corpusFile('npm/esbuild-linux-x64', /^package\/bin\/esbuild$/),
  esbuildFreebsd: () => corpusFile('npm/esbuild-freebsd-x64', /^package\/bin\/esbuild$/),
  esbuildDarwin: () => corpusFile('npm/esbuild-darwin-arm64', /^package\/bin\/esbuild$/),
  esbuildWindows: () => corpusFile('npm/esbuild-win32-x64', /^package\/esbuild\.exe$/),
  fsevents: () => corpusFile('npm/fsevents', /^package\/fsevents\.node$/),
  crc32Windows: () => corpusFile('npm/node-rs-crc32-win32-x64-msvc', /\.node$/),
};

describe('ELF reader on real binaries', () => {
  it('reads a trixie executable: interpreter, libc need, GLIBC_2.38 needs and the symbols that need them', () => {
    const tree = elf(files.treeTrixieAmd64());
    expect(tree).toMatchObject({ bits: 64, littleEndian: true, machine: 62, type: 3, interpreter: '/lib64/ld-linux-x86-64.so.2', needed: ['libc.so.6'], problems: [] });
    expect(tree.versionNeeds).toContainEqual({ file: 'libc.so.6', version: 'GLIBC_2.38' });
    expect(tree.symbols).toContainEqual({ name: '__isoc23_strtol', defined: false, version: 'GLIBC_2.38' });
  });

  it('reads arm64 and 32-bit x86 executables', () => {
    const arm64 = elf(files.treeBookwormArm64());
    expect(arm64).toMatchObject({ bits: 64, machine: 183, interpreter: '/lib/ld-linux-aarch64.so.1' });
    expect(arm64.needed).toContain('libc.so.6');
    const i386 = elf(files.treeBookwormI386());
    expect(i386).toMatchObject({ bits: 32, machine: 3, interpreter: '/lib/ld-linux.so.2', needed: ['libc.so.6'], problems: [] });
    expect(i386.versionNeeds.some((n) => n.version.startsWith('GLIBC_2.'))).toBe(true);
  });

  it('reads a shared library\'s soname and an extension module\'s PyInit_ export', () => {
    expect(elf(files.libyaml()).soname).toBe('libyaml-0.so.2');
    const extension = elf(files.yamlExtension());
    expect(extension.needed).toContain('libyaml-0.so.2');
    expect(extension.symbols).toContainEqual({ name: 'PyInit__yaml', defined: true });
  });

  it('reads RPATH with $ORIGIN and the Node-API export of a napi-rs/sharp addon', () => {
    const sharp = elf(files.sharp());
    expect(sharp.rpath[0]).toBe('$ORIGIN/../../sharp-libvips-linux-x64/lib');
    expect(sharp.needed[0]).toMatch(/^libvips-cpp\.so\./);
    expect(sharp.symbols.find((s) => s.name === 'napi_register_module_v1')?.defined).toBe(true);
  });

  it('reads the node_register_module_vN export of a non-Node-API addon, and musl needs', () => {
    expect(elf(files.pprof108()).symbols).toContainEqual({ name: 'node_register_module_v108', defined: true });
    expect(elf(files.pprofMusl()).needed).toContain('libc.musl-x86_64.so.1');
  });

  it('reads a static Go executable (no dynamic section) and a FreeBSD one', () => {
    expect(elf(files.esbuildLinux())).toMatchObject({ machine: 62, needed: [], interpreter: undefined, problems: [] });
    expect(elf(files.esbuildFreebsd()).osAbi).toBe(9);
  });
});

describe('Mach-O and PE recognition', () => {
  it('reads thin and universal Mach-O files', () => {
    expect(binary(files.esbuildDarwin())).toEqual({ format: 'macho', fat: false, architectures: ['arm64'], fileType: 2 });
    expect(binary(files.fsevents())).toEqual({ format: 'macho', fat: true, architectures: ['x86_64', 'arm64'] });
  });

  it('reads PE executables and DLLs', () => {
    expect(binary(files.esbuildWindows())).toEqual({ format: 'pe', machine: 'x86_64', dll: false });
    expect(binary(files.crc32Windows())).toEqual({ format: 'pe', machine: 'x86_64', dll: true });
  });

  it('does not take a Java class file (also 0xCAFEBABE) or an MZ-prefixed text for a binary', () => {
    const javaClass = Buffer.from('cafebabe0000003400', 'hex');
    expect(sniff(Buffer.concat([javaClass, Buffer.alloc(64)]))).toBeUndefined();
    expect(read(Buffer.from('MZ is how this text file starts, and it is not a program at all. '.repeat(4))).kind).toBe('other');
  });
});

/** A small deterministic PRNG (mulberry32), so a failing mutation can be reproduced. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('reader robustness on truncated and garbled real binaries', () => {
  const sources = ['treeTrixieAmd64', 'treeBookwormI386', 'yamlExtension', 'sharp', 'pprof108', 'esbuildDarwin', 'fsevents', 'esbuildWindows'] as const;

  function expectCalm(bytes: Buffer, label: string): void {
    const started = performance.now();
    let reading: BinaryReading | undefined;
    expect(() => { reading = read(bytes); }, label).not.toThrow();
    expect(performance.now() - started, `${label} took too long`).toBeLessThan(1000);
    expect(['binary', 'unparseable', 'other']).toContain(reading!.kind);
  }

  it.each(sources)('never throws on random truncations of %s', (name) => {
    const original = readFileSync(files[name]());
    const random = prng(0x5eed ^ original.length);
    const cuts = [0, 1, 4, 5, 16, 52, 63, 64, 65, 100, 1000, 4096];
    for (let i = 0; i < 150; i++) cuts.push(Math.floor(random() * original.length));
    for (const cut of cuts) expectCalm(original.subarray(0, cut), `${name} cut at ${cut}`);
  });

  it.each(sources)('never throws on byte flips in the headers and tables of %s', (name) => {
    const original = readFileSync(files[name]());
    const random = prng(0xf11b ^ original.length);
    // Most structure lives in the first pages; flip there mostly, anywhere sometimes.
    const hot = Math.min(original.length, 16 * 1024);
    const mutated = Buffer.from(original);
    for (let i = 0; i < 300; i++) {
      const flips = 1 + Math.floor(random() * 8);
      const touched: number[] = [];
      for (let f = 0; f < flips; f++) {
        const at = random() < 0.85 ? Math.floor(random() * hot) : Math.floor(random() * mutated.length);
        touched.push(at);
        mutated[at] = random() < 0.5 ? mutated[at]! ^ (1 << Math.floor(random() * 8)) : Math.floor(random() * 256);
      }
      expectCalm(mutated, `${name} mutation ${i}`);
      for (const at of touched) mutated[at] = original[at]!;
    }
  });

  it('reports a truncated ELF as unparseable or with problems, never as clean', () => {
    const original = readFileSync(files.treeTrixieAmd64());
    const headerOnly = read(original.subarray(0, 64));
    expect(headerOnly.kind === 'unparseable' || (headerOnly.kind === 'binary' && headerOnly.binary.format === 'elf' && headerOnly.binary.problems.length > 0)).toBe(true);
    expect(read(original.subarray(0, 10))).toMatchObject({ kind: 'unparseable', format: 'ELF' });
  });

  it('reads the same from a growing prefix as from the whole file', () => {
    for (const name of ['sharp', 'treeTrixieAmd64', 'yamlExtension'] as const) {
      const original = readFileSync(files[name]());
      const loads: number[] = [];
      const lazy = readBinary(original.subarray(0, 64), original.length, (n) => {
        loads.push(n);
        return original.subarray(0, n);
      });
      expect(lazy).toEqual(readBinary(original.subarray(0, 64), original.length, () => original));
      expect(loads[0]).toBeLessThan(original.length);
    }
  });
});
