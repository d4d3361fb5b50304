// arm64 from an x86_64 container with a cross compiler: the std-only Rust bootstrap (cargo
// --target aarch64-unknown-linux-gnu, auto; its build script and proc-macro run on x86_64) and a
// C bootstrap whose Makefile honours CC/AR (make, cross by default). Each cross zip is aarch64,
// passes verify, runs in an arm64 container exactly like the emulated build of the same source
// (the architecture it reports comes from the build script), and is byte-identical when built again.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine, runWithMounts } from '../helpers/docker.js';
import { tempProject } from '../helpers/project.js';
import { startRuntimeApi } from '../helpers/runtime-api.js';
import { elfMachine, elfSections, extractZip, sha256, zipEntries } from '../helpers/zip.js';
import type { ArtifactRecord, Manifest } from '../../src/package/manifest.js';
import type { ArchName } from '../../src/runtimes.js';

const RUST = path.join(REPO, 'fixtures/rust-bootstrap');
const MAKE = path.join(REPO, 'fixtures/make-cross');
const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-cross-compile-'));
const env = { LAMBDA_PACK_CACHE_DIR: path.join(dir, 'cache') };
const extracted: string[] = [];

/** Every build of the suite: [output directory, project, extra arguments]. */
const BUILDS: Record<string, [string, string[]]> = {
  'rust-cross': [RUST, ['--strategy', 'cross']],
  'rust-cross-again': [RUST, ['--strategy', 'cross', '--no-cache']],
  'rust-emulated': [RUST, ['--strategy', 'emulated']],
  // auto: csquares cross-compiles, "emulated" is the same source with cross: false.
  make: [MAKE, []],
  'make-again': [MAKE, ['csquares', '--no-cache']],
};

function record(build: string, name: string): ArtifactRecord {
  const manifest: Manifest = JSON.parse(readFileSync(path.join(dir, build, 'manifest.json'), 'utf8'));
  const found = manifest.artifacts.find((a) => a.name === name && a.arch === 'arm64');
  if (!found) throw new Error(`no ${name}-arm64 in the ${build} manifest`);
  return found;
}

const zipOf = (build: string, name: string) => path.join(dir, build, `${name}-arm64.zip`);

async function imageArchitecture(ref: string): Promise<string> {
  return (await execa('docker', ['image', 'inspect', '--format', '{{.Architecture}}', ref])).stdout.trim();
}

/** Runs the zip's bootstrap against a one-invocation Runtime API in a container of `image`. */
async function invoke(zip: string, image: string, arch: ArchName = 'arm64'): Promise<unknown> {
  const unpacked = await extractZip(zip);
  extracted.push(unpacked);
  const api = await startRuntimeApi({ numbers: [3, 4, 12] });
  const container = `lambda-pack-test-cross-compile-${process.pid}-${extracted.length}`;
  const run = runWithMounts(image, arch, [{ dir: unpacked, target: '/var/task' }], 'exec /var/task/bootstrap',
    { docker: ['--network', 'host', '--name', container, '-e', `AWS_LAMBDA_RUNTIME_API=${api.address}`] }).catch(() => '');
  try {
    return JSON.parse(await api.response);
  } finally {
    await execa('docker', ['rm', '-f', container], { reject: false });
    await run;
    await api.close();
  }
}

/**
 * A one-artifact provided.al2023 project whose Makefile compiles a C program to `bootstrap` with
 * `compiler`: a layer (whose proof is verify: its functions load it), or a function without the
 * load check (the program is no runtime), which only --strategy cross builds cross.
 */
function makeProject(name: string, preamble: string, compiler: string, kind: 'functions' | 'layers') {
  const artifact = kind === 'layers' ? `{ runtimes: [provided.al2023], source: fn }` : `{ runtime: provided.al2023, source: fn }`;
  return tempProject({
    'lambda-pack.config.yaml': `imageSet: local\nloadCheck: false\narchitectures: [arm64]\n${kind}:\n  ${name}: ${artifact}\n`,
    'fn/Makefile': `${preamble}build-${name}:\n\tprintf 'int main(void) { return 0; }\\n' > main.c\n\t${compiler} -o $(ARTIFACTS_DIR)/bootstrap main.c\n`,
  });
}

/** e_machine of the bootstrap in a build's zip. */
async function bootstrapMachine(build: string): Promise<number | undefined> {
  const unpacked = await extractZip(zipOf(build, build));
  extracted.push(unpacked);
  return elfMachine(path.join(unpacked, 'bootstrap'));
}

beforeAll(async () => {
  await requireEngine();
  for (const [out, [cwd, args]] of Object.entries(BUILDS)) {
    const result = await lambdaPack(['build', '--arch', 'arm64', '--out', path.join(dir, out), ...args], { cwd, env });
    expect(result.exitCode, `${out}: ${result.stderr}`).toBe(0);
  }
}, 900_000);

afterAll(() => { for (const d of [dir, ...extracted]) rmSync(d, { recursive: true, force: true }); });

describe('cross-compiling for arm64 from x86_64', () => {
  it('is what auto picks for a std-only crate and for make, and the plan says why', async () => {
    const rust = JSON.parse((await lambdaPack(['plan', '--json', '--arch', 'arm64'], { cwd: RUST, env })).stdout).tasks;
    expect(rust).toEqual([expect.objectContaining({ id: 'squares-arm64', strategy: expect.objectContaining({ kind: 'cross', proof: true,
      reason: 'no crate links a system library: x86_64 cargo build --target aarch64-unknown-linux-gnu linked by aarch64-linux-gnu-gcc; accepted once verify and the load check pass on arm64, else rebuilt emulated' }) })]);
    const make = JSON.parse((await lambdaPack(['plan', '--json'], { cwd: MAKE, env })).stdout).tasks;
    expect(make).toEqual([
      expect.objectContaining({ id: 'csquares-arm64', strategy: expect.objectContaining({ kind: 'cross', proof: true, reason: expect.stringContaining('CC=aarch64-linux-gnu-gcc') }) }),
      expect.objectContaining({ id: 'emulated-arm64', strategy: expect.objectContaining({ kind: 'emulated', reason: expect.stringContaining('"cross: false" is set') }) }),
    ]);
    expect(record('make', 'csquares')).toMatchObject({ strategy: 'cross' });
    expect(record('make', 'emulated')).toMatchObject({ strategy: 'emulated' });
  });

  it.each([
    ['cargo', 'rust-cross', 'squares', 'rust-emulated', 'squares', 'rust'],
    ['make', 'make', 'csquares', 'make', 'emulated', 'c'],
  ])('%s: the cross bootstrap is aarch64, passes verify and answers in an arm64 container like the emulated one', async (_builder, crossBuild, crossName, emulatedBuild, emulatedName, language) => {
    const cross = record(crossBuild, crossName);
    const emulated = record(emulatedBuild, emulatedName);
    expect(cross.strategy).toBe('cross');
    expect(emulated.strategy).toBe('emulated');
    // The cross build ran in the x86_64 image; the bootstraps run in the arm64 one.
    expect(await imageArchitecture(cross.image!)).toBe('amd64');
    expect(await imageArchitecture(emulated.image!)).toBe('arm64');
    const zip = zipOf(crossBuild, crossName);
    expect(await zipEntries(zip)).toEqual(await zipEntries(zipOf(emulatedBuild, emulatedName)));
    const unpacked = await extractZip(zip);
    extracted.push(unpacked);
    expect(await elfMachine(path.join(unpacked, 'bootstrap'))).toBe(183);
    const verified = await lambdaPack(['verify', zip, '--runtime', 'provided.al2023', '--arch', 'arm64', '--json']);
    expect(verified.exitCode, verified.stdout).toBe(0);
    expect(cross.findings).toEqual([]);
    const expected = { language, count: 3, sumOfSquares: 169, arch: 'arm64' };
    expect(await invoke(zip, emulated.image!)).toEqual(expected);
    expect(await invoke(zipOf(emulatedBuild, emulatedName), emulated.image!)).toEqual(expected);
  }, 240_000);

  it('ships the Rust bootstrap without debug sections (strip is on for cargo), its symbols kept', async () => {
    const unpacked = await extractZip(zipOf('rust-cross', 'squares'));
    extracted.push(unpacked);
    const sections = await elfSections(path.join(unpacked, 'bootstrap'));
    expect(sections).toContain('.text');
    expect(sections).toContain('.symtab');
    expect(sections.filter((s) => s.startsWith('.debug'))).toEqual([]);
  });

  it.each([['rust-cross', 'rust-cross-again', 'squares'], ['make', 'make-again', 'csquares']])('%s: building again from scratch gives the same bytes', async (first, again, name) => {
    expect(record(again, name)).toMatchObject({ strategy: 'cross', cacheHit: false });
    expect(await sha256(zipOf(again, name))).toBe(await sha256(zipOf(first, name)));
  });

  it('emulates a function whose load check is off, since its cross compile could not be proven', async () => {
    const project = makeProject('unchecked', '', '$(CC)', 'functions');
    try {
      const plan = JSON.parse((await lambdaPack(['plan', '--json'], { cwd: project.root, env })).stdout).tasks[0];
      expect(plan.strategy).toMatchObject({ kind: 'emulated', reason: 'the Makefile compiles on arm64: a cross compile is accepted only once its load check passes, and the load check is off' });
    } finally { project.remove(); }
  });

  it('cross-compiles a Makefile that sets CC = gcc itself: the cross compilers go on make\'s command line', async () => {
    const project = makeProject('assigned', 'CC = gcc\n', '$(CC)', 'functions');
    try {
      const result = await lambdaPack(['build', '--strategy', 'cross', '--out', path.join(dir, 'assigned')], { cwd: project.root, env });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(record('assigned', 'assigned')).toMatchObject({ strategy: 'cross', findings: [] });
      expect(await bootstrapMachine('assigned')).toBe(183);
    } finally { project.remove(); }
  }, 120_000);

  it('rebuilds emulated a layer whose Makefile calls gcc itself, since verify refuses its x86_64 code; --strategy cross fails', async () => {
    const project = makeProject('hardcoded', '', 'gcc', 'layers');
    try {
      const result = await lambdaPack(['build', '--out', path.join(dir, 'hardcoded')], { cwd: project.root, env });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(record('hardcoded', 'hardcoded')).toMatchObject({ strategy: 'emulated', fallback: expect.stringMatching(/^the proof refused the cross build: ARCH_MISMATCH bootstrap: /) });
      expect(await bootstrapMachine('hardcoded')).toBe(183);
      const forced = await lambdaPack(['build', '--strategy', 'cross', '--out', path.join(dir, 'hardcoded-cross')], { cwd: project.root, env });
      expect(forced.exitCode, forced.stderr).toBe(1);
      expect(forced.stderr).toContain('ARCH_MISMATCH');
      expect(existsSync(path.join(dir, 'hardcoded-cross', 'hardcoded-arm64.zip'))).toBe(false);
    } finally { project.remove(); }
  }, 240_000);

  it('refuses --strategy cross in an image it knows no cross toolchain of, naming the image', async () => {
    const project = tempProject({
      'lambda-pack.config.yaml': 'architectures: [arm64]\nimages:\n  provided.al2023: { x86_64: my/rust:amd64, arm64: my/rust:arm64 }\nfunctions:\n  squares: { runtime: provided.al2023, source: fn }\n',
      'fn/Cargo.toml': '[package]\nname = "squares"\nversion = "1.0.0"\n',
      'fn/src/main.rs': 'fn main() {}\n',
    });
    try {
      const result = await lambdaPack(['plan', '--strategy', 'cross'], { cwd: project.root, env });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('cannot cross-build squares-arm64: its x86_64 image, my/rust:amd64, has no cross toolchain for arm64');
      expect(result.stderr).toContain('Use auto or emulated');
    } finally { project.remove(); }
  });

  // An arm64 engine (Graviton, Apple silicon) cross-builds x86_64 in the arm64 image: its
  // toolchain is proven here directly, since this engine runs x86_64 and never picks it.
  it('the arm64 image cross-compiles Rust and C for x86_64, and what it builds passes verify and answers on x86_64', async () => {
    const armImage = record('rust-emulated', 'squares').image!;
    const script = [
      'set -e; export HOME=/tmp/home CARGO_HOME=/tmp/cargo CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER=x86_64-linux-gnu-gcc',
      'cp -r /src /tmp/src && cd /tmp/src/rust && cargo build -q --release --locked --target x86_64-unknown-linux-gnu --target-dir /tmp/target',
      'mkdir -p /tmp/out/rust /tmp/out/c && install -m 0755 /tmp/target/x86_64-unknown-linux-gnu/release/squares /tmp/out/rust/bootstrap',
      'cd /tmp/src/c && CC=x86_64-linux-gnu-gcc AR=x86_64-linux-gnu-ar make -s build-csquares ARTIFACTS_DIR=/tmp/out/c >&2',
      'tar -C /tmp/out -cf - . | base64',
    ].join('\n');
    const built = await runWithMounts(armImage, 'arm64', [
      { dir: path.join(RUST, 'function'), target: '/src/rust' }, { dir: path.join(REPO, 'fixtures/c-bootstrap/function'), target: '/src/c' },
    ], script);
    const project = tempProject({
      'lambda-pack.config.yaml': 'imageSet: local\narchitectures: [x86_64]\nfunctions:\n  rust: { runtime: provided.al2023, source: rust }\n  c: { runtime: provided.al2023, source: c }\n',
    });
    try {
      await execa('tar', ['-C', project.root, '-xf', '-'], { input: Buffer.from(built, 'base64') });
      // Packaged as they are (copy builder) and verified for x86_64 like any build.
      const result = await lambdaPack(['build', '--out', path.join(dir, 'from-arm64')], { cwd: project.root, env });
      expect(result.exitCode, result.stderr).toBe(0);
      const x86Image = record('rust-cross', 'squares').image!;
      for (const [name, language] of [['rust', 'rust'], ['c', 'c']] as const) {
        const zip = path.join(dir, 'from-arm64', `${name}-x86_64.zip`);
        const unpacked = await extractZip(zip);
        extracted.push(unpacked);
        expect(await elfMachine(path.join(unpacked, 'bootstrap'))).toBe(62);
        expect(await invoke(zip, x86Image, 'x86_64')).toEqual({ language, count: 3, sumOfSquares: 169, arch: 'x86_64' });
      }
    } finally { project.remove(); }
  }, 600_000);
});
