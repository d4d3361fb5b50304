// Binary checks on real third-party binaries: every code fires on a real-world case and stays quiet
// on its near miss (the same file for the right target).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { architecture, runtime, type ArchName } from '../../src/runtimes.js';
import { verifyZip, type Finding, type VerifyOptions } from '../../src/verify/index.js';
import { corpusDir, corpusFile, makeZip, treeEntries, type ZipSpecEntry } from '../verify-corpus/corpus.js';

let corpus: string;
beforeAll(() => {
  corpus = corpusDir();
}, 15 * 60_000);

async function findings(entries: ZipSpecEntry[] | string, rt: string, arch: ArchName = 'x86_64', extra: Partial<VerifyOptions> = {}): Promise<Finding[]> {
  const zip = typeof entries === 'string' ? entries : makeZip(entries);
  return (await verifyZip(zip, { runtime: runtime(rt), arch: architecture(arch), ...extra })).findings;
}

const codes = (list: Finding[]): string[] => list.map((f) => f.code);
const file = (name: string, path: string, mode = 0o755): ZipSpecEntry => ({ name, file: path, mode });
const bootstrap = (path: string): ZipSpecEntry[] => [file('bootstrap', path)];

describe('ARCH_MISMATCH', () => {
  it('flags an arm64 esbuild in an x86_64 function, and not in an arm64 one', async () => {
    const arm64 = corpusFile('npm/esbuild-linux-arm64', /^package\/bin\/esbuild$/);
    const wrong = await findings(bootstrap(arm64), 'provided.al2023', 'x86_64');
    expect(wrong).toEqual([expect.objectContaining({ code: 'ARCH_MISMATCH', severity: 'error', path: 'bootstrap' })]);
    expect(wrong[0]!.message).toContain('arm64');
    expect(await findings(bootstrap(arm64), 'provided.al2023', 'arm64')).toEqual([]);
  });

  it('flags a Debian arm64 Python extension on x86_64 and a 32-bit x86 executable on x86_64', async () => {
    const yaml = corpusFile('deb/bookworm/arm64/python3-yaml', /_yaml\.cpython-311-aarch64-linux-gnu\.so$/);
    expect(codes(await findings([file('yaml/_yaml.cpython-311-aarch64-linux-gnu.so', yaml)], 'python3.11', 'x86_64'))).toContain('ARCH_MISMATCH');
    expect(codes(await findings([file('yaml/_yaml.cpython-311-aarch64-linux-gnu.so', yaml), file('lib/libyaml-0.so.2', corpusFile('deb/bookworm/arm64/libyaml-0-2', /libyaml-0\.so\.2\.\d+\.\d+$/))], 'python3.11', 'arm64'))).toEqual([]);
    const i386 = await findings(bootstrap(corpusFile('deb/bookworm/i386/tree', /usr\/bin\/tree$/)), 'provided.al2023', 'x86_64');
    expect(i386).toEqual([expect.objectContaining({ code: 'ARCH_MISMATCH' })]);
    expect(i386[0]!.message).toContain('32-bit');
  });
});

describe('NOT_LINUX_BINARY', () => {
  const cases: Array<[string, string, RegExp, string]> = [
    ['a macOS esbuild (thin Mach-O)', 'npm/esbuild-darwin-arm64', /^package\/bin\/esbuild$/, 'macOS'],
    ['fsevents (universal Mach-O)', 'npm/fsevents', /^package\/fsevents\.node$/, 'universal'],
    ['a Windows esbuild.exe (PE)', 'npm/esbuild-win32-x64', /^package\/esbuild\.exe$/, 'Windows'],
    ['a napi-rs Windows DLL', 'npm/node-rs-crc32-win32-x64-msvc', /\.node$/, 'DLL'],
    ['a napi-rs macOS addon', 'npm/node-rs-crc32-darwin-x64', /\.node$/, 'x86_64'],
    ['a FreeBSD esbuild (ELF)', 'npm/esbuild-freebsd-x64', /^package\/bin\/esbuild$/, 'FreeBSD'],
  ];
  it.each(cases)('flags %s whatever its name', async (_, dir, pattern, words) => {
    const list = await findings([file('node_modules/dep/native/thing', corpusFile(dir, pattern))], 'nodejs22.x');
    expect(list).toEqual([expect.objectContaining({ code: 'NOT_LINUX_BINARY', path: 'node_modules/dep/native/thing' })]);
    expect(list[0]!.message).toContain(words);
  });

  it('does not flag the Linux build at the same path', async () => {
    expect(await findings([file('node_modules/dep/native/thing', corpusFile('npm/esbuild-linux-x64', /^package\/bin\/esbuild$/))], 'nodejs22.x')).toEqual([]);
  });

  it('ignores other platforms\' node-gyp-build prebuilds in a complete real package', async () => {
    const list = await findings(treeEntries(join(corpus, 'npm/datadog-pprof/package'), 'node_modules/@datadog/pprof/'), 'nodejs22.x');
    expect(list).toEqual([]);
  });
});

describe('MUSL_BINARY', () => {
  it('flags napi-rs and prebuildify musl addons (libc.so, libc.musl-x86_64.so.1)', async () => {
    const napi = corpusFile('npm/node-rs-crc32-linux-x64-musl', /\.node$/);
    const pprof = corpusFile('npm/datadog-pprof', /prebuilds\/linux-x64\/dd_pprof\.musl\.node\.abi127\.node$/);
    const list = await findings([file('node_modules/a/crc32.node', napi), file('node_modules/b/build/Release/dd_pprof.node', pprof)], 'nodejs22.x');
    expect(list.map((f) => [f.code, f.path])).toEqual([['MUSL_BINARY', 'node_modules/a/crc32.node'], ['MUSL_BINARY', 'node_modules/b/build/Release/dd_pprof.node']]);
    expect(list[1]!.message).toContain('libc.musl-x86_64.so.1');
  });

  it('does not flag the glibc builds of the same packages', async () => {
    const napi = corpusFile('npm/node-rs-crc32-linux-x64-gnu', /\.node$/);
    const pprof = corpusFile('npm/datadog-pprof', /prebuilds\/linux-x64\/dd_pprof\.node\.abi127\.node$/);
    expect(await findings([file('node_modules/a/crc32.node', napi), file('node_modules/b/build/Release/dd_pprof.node', pprof)], 'nodejs22.x')).toEqual([]);
  });
});

describe('GLIBC_TOO_NEW', () => {
  const trixieTree = (): string => corpusFile('deb/trixie/amd64/tree', /usr\/bin\/tree$/);
  const bookwormTree = (): string => corpusFile('deb/bookworm/amd64/tree', /usr\/bin\/tree$/);

  it('flags a Debian trixie executable (GLIBC_2.38) on AL2023, naming the version, symbols and file', async () => {
    const list = await findings(bootstrap(trixieTree()), 'provided.al2023');
    expect(list).toEqual([expect.objectContaining({ code: 'GLIBC_TOO_NEW', path: 'bootstrap' })]);
    expect(list[0]!.message).toMatch(/needs GLIBC_2\.38 \(__isoc23_strto/);
    expect(list[0]!.message).toContain('2.34');
  });

  it('accepts the bookworm build (GLIBC_2.34) on AL2023 but not on AL2 (2.26)', async () => {
    expect(await findings(bootstrap(bookwormTree()), 'provided.al2023')).toEqual([]);
    const al2 = await findings(bootstrap(bookwormTree()), 'provided.al2');
    expect(al2).toEqual([expect.objectContaining({ code: 'GLIBC_TOO_NEW' })]);
    expect(al2[0]!.message).toContain('GLIBC_2.34');
  });
});

describe('LIBSTDCXX_TOO_NEW', () => {
  const pzstd = (): string => corpusFile('deb/bookworm/amd64/zstd', /usr\/bin\/pzstd$/);

  it('flags a GCC 12 C++ executable (GLIBCXX_3.4.30) on AL2023, whose libstdc++ stops at 3.4.29', async () => {
    const list = await findings(bootstrap(pzstd()), 'provided.al2023');
    expect(list).toEqual([expect.objectContaining({ code: 'LIBSTDCXX_TOO_NEW', path: 'bootstrap' })]);
    expect(list[0]!.message).toMatch(/needs GLIBCXX_3\.4\.30 \(\w+/);
  });

  it('is not fooled by a libstdc++.so.6 in lib/, which Lambda\'s LD_LIBRARY_PATH puts after /lib64', async () => {
    const list = await findings([...bootstrap(pzstd()), { name: 'lib/libstdc++.so.6', text: 'stand-in' }], 'provided.al2023');
    expect(codes(list)).toEqual(['LIBSTDCXX_TOO_NEW']);
  });

  it('does not flag C++ addons built with an older GCC', async () => {
    const pprof = corpusFile('npm/datadog-pprof', /prebuilds\/linux-x64\/dd_pprof\.node\.abi127\.node$/);
    expect(await findings([file('node_modules/p/build/Release/dd_pprof.node', pprof)], 'nodejs22.x')).toEqual([]);
    const sharp = [
      ...treeEntries(join(corpus, 'npm/img-sharp-linux-x64/package'), 'node_modules/@img/sharp-linux-x64/'),
      ...treeEntries(join(corpus, 'npm/img-sharp-libvips-linux-x64/package'), 'node_modules/@img/sharp-libvips-linux-x64/'),
    ];
    expect(await findings(sharp, 'nodejs20.x')).toEqual([]);
  });
});

describe('PYTHON_ABI_MISMATCH', () => {
  const yaml311 = (): string => corpusFile('deb/bookworm/amd64/python3-yaml', /_yaml\.cpython-311-x86_64-linux-gnu\.so$/);
  const libyaml = (): ZipSpecEntry => file('lib/libyaml-0.so.2', corpusFile('deb/bookworm/amd64/libyaml-0-2', /libyaml-0\.so\.2\.\d+\.\d+$/));

  it('flags a cpython-311 module in a python3.12 function, not in python3.11', async () => {
    const entries = [file('yaml/_yaml.cpython-311-x86_64-linux-gnu.so', yaml311()), libyaml()];
    const list = await findings(entries, 'python3.12');
    expect(list).toEqual([expect.objectContaining({ code: 'PYTHON_ABI_MISMATCH', path: 'yaml/_yaml.cpython-311-x86_64-linux-gnu.so' })]);
    expect(list[0]!.message).toContain('CPython 3.11');
    expect(await findings(entries, 'python3.11')).toEqual([]);
  });

  it('flags a module tagged for aarch64 in an x86_64 function even when the file is x86_64', async () => {
    const trixie = corpusFile('deb/trixie/amd64/python3-yaml', /_yaml\.cpython-313-x86_64-linux-gnu\.so$/);
    expect(codes(await findings([file('yaml/_yaml.cpython-313-aarch64-linux-gnu.so', trixie), libyaml()], 'python3.13'))).toEqual(['PYTHON_ABI_MISMATCH']);
    expect(await findings([file('yaml/_yaml.cpython-313-x86_64-linux-gnu.so', trixie), libyaml()], 'python3.13')).toEqual([]);
  });

  it('checks abi3 modules against the minimum Python of their wheel tag', async () => {
    const rust = corpusFile('deb/bookworm/amd64/python3-cryptography', /_rust\.abi3\.so$/);
    const wheel = (tag: string): ZipSpecEntry[] => [
      file('cryptography/hazmat/bindings/_rust.abi3.so', rust),
      { name: 'cryptography-38.0.4.dist-info/WHEEL', text: `Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: ${tag}\n` },
      { name: 'cryptography-38.0.4.dist-info/RECORD', text: 'cryptography/hazmat/bindings/_rust.abi3.so,sha256=x,1\ncryptography-38.0.4.dist-info/WHEEL,,\n' },
    ];
    const tooOld = await findings(wheel('cp313-abi3-manylinux_2_34_x86_64'), 'python3.12');
    expect(tooOld.map((f) => [f.code, f.path])).toEqual([['PYTHON_ABI_MISMATCH', 'cryptography/hazmat/bindings/_rust.abi3.so']]);
    expect(tooOld[0]!.message).toContain('>= 3.13');
    expect(await findings(wheel('cp313-abi3-manylinux_2_34_x86_64'), 'python3.13')).toEqual([]);
    expect(await findings(wheel('cp37-abi3-manylinux_2_34_x86_64'), 'python3.12')).toEqual([]);
  });
});

describe('NODE_ABI_MISMATCH', () => {
  const pprof = (abi: number): string => corpusFile('npm/datadog-pprof', new RegExp(`prebuilds/linux-x64/dd_pprof\\.node\\.abi${abi}\\.node$`));

  it('flags an addon exporting node_register_module_v108 on nodejs22.x, not on nodejs18.x', async () => {
    const entries = [file('node_modules/@datadog/pprof/build/Release/dd_pprof.node', pprof(108))];
    const list = await findings(entries, 'nodejs22.x');
    expect(list).toEqual([expect.objectContaining({ code: 'NODE_ABI_MISMATCH' })]);
    expect(list[0]!.message).toContain('node_register_module_v108');
    expect(list[0]!.message).toContain('127');
    expect(await findings(entries, 'nodejs18.x')).toEqual([]);
  });

  it('accepts Node-API addons on every Node runtime', async () => {
    const napi = [file('node_modules/@node-rs/crc32/crc32.node', corpusFile('npm/node-rs-crc32-linux-x64-gnu', /\.node$/))];
    for (const rt of ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x']) expect(await findings(napi, rt)).toEqual([]);
  });

  it('flags a prebuilds/linux-x64 directory with no build for the runtime\'s ABI', async () => {
    const entries = treeEntries(join(corpus, 'npm/datadog-pprof/package'), 'node_modules/@datadog/pprof/')
      .filter((e) => !/abi127/.test(e.name));
    const list = await findings(entries, 'nodejs22.x');
    expect(list).toEqual([expect.objectContaining({ code: 'NODE_ABI_MISMATCH', path: 'node_modules/@datadog/pprof/prebuilds/linux-x64' })]);
    expect(await findings(entries, 'nodejs20.x')).toEqual([]);
  });
});

describe('MISSING_SHARED_LIBRARY', () => {
  it('flags sharp without its libvips package, and resolves it through RPATH $ORIGIN when both are zipped (Info-ZIP)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambda-pack-sharp-'));
    cpSync(join(corpus, 'npm/img-sharp-linux-x64/package'), join(dir, 'node_modules/@img/sharp-linux-x64'), { recursive: true });
    const alone = join(dir, 'alone.zip');
    execFileSync('zip', ['-q', '-r', '-y', alone, 'node_modules'], { cwd: dir });
    const list = await findings(alone, 'nodejs22.x');
    expect(list).toEqual([expect.objectContaining({ code: 'MISSING_SHARED_LIBRARY', path: expect.stringMatching(/sharp-linux-x64-[\d.]+\.node$/) })]);
    expect(list[0]!.message).toMatch(/needs libvips-cpp\.so\./);

    cpSync(join(corpus, 'npm/img-sharp-libvips-linux-x64/package'), join(dir, 'node_modules/@img/sharp-libvips-linux-x64'), { recursive: true });
    const both = join(dir, 'both.zip');
    execFileSync('zip', ['-q', '-r', '-y', both, 'node_modules'], { cwd: dir });
    expect(await findings(both, 'nodejs22.x')).toEqual([]);
  });

  it('flags libssl.so.3 for Debian\'s cryptography on AL2 (python3.11), not on AL2023 (python3.12)', async () => {
    const openssl = corpusFile('deb/bookworm/amd64/python3-cryptography', /_openssl\.abi3\.so$/);
    const entries = [file('cryptography/hazmat/bindings/_openssl.abi3.so', openssl)];
    const al2 = await findings(entries, 'python3.11');
    expect(al2.map((f) => f.code)).toEqual(['MISSING_SHARED_LIBRARY', 'MISSING_SHARED_LIBRARY']);
    expect(al2.map((f) => f.message.split(',')[0])).toEqual(['needs libssl.so.3', 'needs libcrypto.so.3']);
    expect(await findings(entries, 'python3.12')).toEqual([]);
  });

  it('finds a library in the function\'s lib/ or in a layer\'s lib/', async () => {
    const yaml = [file('yaml/_yaml.cpython-311-x86_64-linux-gnu.so', corpusFile('deb/bookworm/amd64/python3-yaml', /_yaml\.cpython-311-x86_64-linux-gnu\.so$/))];
    const libyaml = corpusFile('deb/bookworm/amd64/libyaml-0-2', /libyaml-0\.so\.2\.\d+\.\d+$/);
    const missing = await findings(yaml, 'python3.11');
    expect(missing).toEqual([expect.objectContaining({ code: 'MISSING_SHARED_LIBRARY' })]);
    expect(missing[0]!.message).toContain('libyaml-0.so.2');
    expect(await findings([...yaml, file('lib/libyaml-0.so.2.0.9', libyaml), { name: 'lib/libyaml-0.so.2', symlink: 'libyaml-0.so.2.0.9' }], 'python3.11')).toEqual([]);
    const layer = makeZip([file('lib/libyaml-0.so.2', libyaml)]);
    expect(await findings(yaml, 'python3.11', 'x86_64', { layers: [layer] })).toEqual([]);
  });
});

describe('UNPARSEABLE_BINARY', () => {
  it('warns about a truncated ELF file instead of passing or crashing, and is quiet on the intact file', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const tree = corpusFile('deb/trixie/amd64/tree', /usr\/bin\/tree$/);
    const cut = join(mkdtempSync(join(tmpdir(), 'lambda-pack-cut-')), 'tree');
    writeFileSync(cut, readFileSync(tree).subarray(0, 2000));
    const list = await findings(bootstrap(cut), 'provided.al2023');
    expect(list).toEqual([expect.objectContaining({ code: 'UNPARSEABLE_BINARY', severity: 'warning', path: 'bootstrap' })]);
    expect(codes(await findings(bootstrap(tree), 'provided.al2023'))).not.toContain('UNPARSEABLE_BINARY');
  });
});
