// Cross-compiling cargo and make: target names, toolchain environment, which images can do it,
// and what the builders decide for a task.
import { afterEach, describe, expect, it } from 'vitest';
import { cargoBuilder, systemLibraryCrates } from '../../src/builders/cargo.js';
import { cargoCrossCommand, cargoCrossEnv, gnuTriple, makeCrossEnv, rustTarget } from '../../src/builders/cross.js';
import { makeBuilder } from '../../src/builders/make.js';
import { walkSource } from '../../src/package/sources.js';
import { crossToolchainOf } from '../../src/recipes.js';
import { renderStep } from '../../src/executor/script.js';
import type { Builder } from '../../src/builders/types.js';
import { HOST } from '../helpers/host.js';
import { chooseStrategy } from '../../src/plan/strategy.js';
import type { ImageChoice, PlacedTask, Strategy } from '../../src/plan/types.js';
import { ARCHITECTURES, runtime } from '../../src/runtimes.js';
import { tempProject, type TempProject } from '../helpers/project.js';

const { x86_64: X86, arm64: ARM } = ARCHITECTURES;
const LOCAL_PROVIDED: ImageChoice = { kind: 'recipe', recipe: 'provided.al2023', origin: 'local' };
const OFFICIAL_RUST: ImageChoice = { kind: 'recipe', recipe: 'rust-provided.al2023', origin: 'official' };
const CONFIGURED: ImageChoice = { kind: 'reference', ref: 'my/rust:amd64', origin: 'config' };

const projects: TempProject[] = [];
afterEach(() => { for (const p of projects.splice(0)) p.remove(); });

function project(files: Record<string, string>): string {
  const p = tempProject(files);
  projects.push(p);
  return p.root;
}

function task(builder: 'cargo' | 'make', source: string, options: { hostImage?: ImageChoice; cross?: boolean; runtime?: string; env?: Record<string, string> } = {}): PlacedTask {
  const image = options.hostImage ?? LOCAL_PROVIDED;
  return {
    id: 'fn-arm64', arch: ARM, engine: { arch: X86 }, image, engineImage: image, requestedStrategy: 'auto', runtimeImage: { kind: 'recipe', recipe: 'runtime-provided.al2023', origin: 'local' }, output: '/out/fn-arm64.zip',
    artifact: { name: 'fn', kind: 'function', builder, source, runtime: runtime(options.runtime ?? 'provided.al2023'), ...(options.cross !== undefined ? { cross: options.cross } : {}), env: options.env ?? {}, passEnv: [], exclude: [] } as unknown as PlacedTask['artifact'],
  };
}

/** The builder's analysis of the task's source, as the planner makes it. */
async function analysis<A extends { installInputs: unknown }>(builder: Builder<A & import('../../src/builders/types.js').Analysis>, t: PlacedTask) {
  return builder.analyze(t.artifact, await walkSource(t.artifact.source, { artifact: 'fn' }), HOST);
}

/** Strategy facts from a fresh analysis. */
async function factsOf(builder: Builder, t: PlacedTask) {
  return builder.strategyFacts!(await analysis(builder, t), t);
}

/** The install's steps as the container script runs them. */
function script(install: { steps: readonly Parameters<typeof renderStep>[0][] }): string {
  return install.steps.map(renderStep).join('\n');
}

const CARGO_TOML = '[package]\nname = "squares"\nversion = "1.0.0"\n';
const CROSS: Strategy = { kind: 'cross', reason: 'test', buildArch: X86 };
const EMULATED: Strategy = { kind: 'emulated', reason: 'test', buildArch: ARM };

describe('cross toolchain names', () => {
  it('names the GNU and Rust triples of each architecture', () => {
    expect([gnuTriple(ARM), rustTarget(ARM)]).toEqual(['aarch64-linux-gnu', 'aarch64-unknown-linux-gnu']);
    expect([gnuTriple(X86), rustTarget(X86)]).toEqual(['x86_64-linux-gnu', 'x86_64-unknown-linux-gnu']);
  });

  it('gives cargo the target linker and the cc crate its compilers, for Debian cross gcc', () => {
    expect(cargoCrossEnv(ARM, 'gnu')).toEqual({
      CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER: 'aarch64-linux-gnu-gcc',
      CC_aarch64_unknown_linux_gnu: 'aarch64-linux-gnu-gcc',
      CXX_aarch64_unknown_linux_gnu: 'aarch64-linux-gnu-g++',
      AR_aarch64_unknown_linux_gnu: 'aarch64-linux-gnu-ar',
    });
    expect(cargoCrossEnv(X86, 'gnu')).toMatchObject({ CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER: 'x86_64-linux-gnu-gcc' });
    expect(cargoCrossEnv(ARM, 'zig')).toEqual({});
  });

  it('pins glibc to the runtime with cargo-zigbuild, and passes --target to plain cargo', () => {
    expect(cargoCrossCommand(ARM, 'gnu', runtime('provided.al2023'))).toEqual(['cargo', 'build', '--target', 'aarch64-unknown-linux-gnu']);
    expect(cargoCrossCommand(ARM, 'zig', runtime('provided.al2023'))).toEqual(['cargo', 'zigbuild', '--target', 'aarch64-unknown-linux-gnu.2.34']);
    expect(cargoCrossCommand(X86, 'zig', runtime('provided.al2'))).toEqual(['cargo', 'zigbuild', '--target', 'x86_64-unknown-linux-gnu.2.26']);
  });

  it('gives a Makefile CC, CXX, AR and friends for the target, and the CROSS_COMPILE prefix', () => {
    expect(makeCrossEnv(ARM)).toEqual({
      CC: 'aarch64-linux-gnu-gcc', CXX: 'aarch64-linux-gnu-g++', AR: 'aarch64-linux-gnu-ar', LD: 'aarch64-linux-gnu-ld',
      RANLIB: 'aarch64-linux-gnu-ranlib', STRIP: 'aarch64-linux-gnu-strip', CROSS_COMPILE: 'aarch64-linux-gnu-',
    });
  });

  it('knows the toolchain of lambda-pack recipes only', () => {
    expect(crossToolchainOf(LOCAL_PROVIDED)).toBe('gnu');
    expect(crossToolchainOf(OFFICIAL_RUST)).toBe('zig');
    expect(crossToolchainOf({ kind: 'recipe', recipe: 'nodejs22.x', origin: 'local' })).toBe('gnu');
    expect(crossToolchainOf(CONFIGURED)).toBeUndefined();
    expect(crossToolchainOf({ kind: 'reference', ref: 'public.ecr.aws/sam/build-provided.al2023:latest-x86_64', origin: 'official' })).toBeUndefined();
    expect(crossToolchainOf(null)).toBeUndefined();
  });
});

describe('crates that link a system library', () => {
  it('are found in Cargo.lock, in Cargo.toml (also renamed) and by a links key', () => {
    expect(systemLibraryCrates({ dependencies: { ssl: { package: 'libz-sys', version: '1' }, itoa: '1' } }, ['openssl-sys', 'itoa'])).toEqual(['libz-sys', 'openssl-sys']);
    expect(systemLibraryCrates({ package: { name: 'mine', links: 'foo' } }, [])).toEqual(['mine']);
    expect(systemLibraryCrates({ package: { name: 'squares' }, dependencies: { itoa: '1' } }, ['serde', 'itoa'])).toEqual([]);
  });
});

describe('the cargo builder', () => {
  it('cross-compiles a crate without system libraries, and says how', async () => {
    const facts = await factsOf(cargoBuilder, task('cargo', project({ 'Cargo.toml': CARGO_TOML })));
    expect(facts).toEqual({ mustCompile: [], cross: 'no crate links a system library: x86_64 cargo build --target aarch64-unknown-linux-gnu linked by aarch64-linux-gnu-gcc' });
    expect(chooseStrategy(task('cargo', '/unused'), facts)).toMatchObject({ kind: 'cross', buildArch: X86 });
  });

  it('emulates a crate that links a system library, naming it', async () => {
    const source = project({ 'Cargo.toml': `${CARGO_TOML}[dependencies]\nopenssl-sys = "0.9"\n` });
    const facts = await factsOf(cargoBuilder, task('cargo', source));
    expect(chooseStrategy(task('cargo', source), facts)).toMatchObject({ kind: 'emulated', reason: 'openssl-sys must compile on arm64' });
  });

  it('reads every crate of Cargo.lock, and names the file when it is broken', async () => {
    const lock = 'version = 3\n[[package]]\nname = "squares"\nversion = "1.0.0"\n[[package]]\nname = "zstd-sys"\nversion = "2.0.0"\n';
    const source = project({ 'Cargo.toml': CARGO_TOML, 'Cargo.lock': lock });
    expect((await factsOf(cargoBuilder, task('cargo', source))).mustCompile).toEqual(['zstd-sys']);
    const broken = project({ 'Cargo.toml': CARGO_TOML, 'Cargo.lock': '[[package]\n' });
    await expect(factsOf(cargoBuilder, task('cargo', broken))).rejects.toThrow(/Cargo\.lock:1: cannot read Cargo\.lock: .*cargo generate-lockfile/);
  });

  it('emulates in an image it knows no cross toolchain of, and refuses --strategy cross there', async () => {
    const t = task('cargo', project({ 'Cargo.toml': CARGO_TOML }), { hostImage: CONFIGURED });
    const facts = await factsOf(cargoBuilder, t);
    expect(chooseStrategy(t, facts)).toMatchObject({ kind: 'emulated', reason: expect.stringContaining('my/rust:amd64, has no cross toolchain for arm64') });
    expect(() => chooseStrategy({ ...t, requestedStrategy: 'cross' }, facts)).toThrow(/cannot cross-build fn-arm64: its x86_64 image, my\/rust:amd64, has no cross toolchain/);
  });

  it('builds --target the triple with the cross linker and ships target/<triple>/release/<bin>', async () => {
    const source = project({ 'Cargo.toml': CARGO_TOML, 'Cargo.lock': 'version = 3\n', 'src/main.rs': 'fn main() {}\n' });
    const t = task('cargo', source);
    const install = cargoBuilder.install(await analysis(cargoBuilder, t), t, CROSS, HOST);
    expect(script(install)).toContain('cargo build --target aarch64-unknown-linux-gnu --release --locked --target-dir /tmp/lambda-pack-target --bin squares');
    expect(script(install)).toContain('/tmp/lambda-pack-target/aarch64-unknown-linux-gnu/release/squares');
    expect(script(install)).toContain('command -v aarch64-linux-gnu-gcc');
    expect(install.env).toMatchObject({ CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER: 'aarch64-linux-gnu-gcc' });
    const emulated = cargoBuilder.install(await analysis(cargoBuilder, t), t, EMULATED, HOST);
    expect(script(emulated)).not.toContain('--target ');
    expect(emulated.env).not.toHaveProperty('CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER');
  });

  it('builds with cargo zigbuild at the runtime glibc in the official image', async () => {
    const source = project({ 'Cargo.toml': CARGO_TOML, 'src/main.rs': 'fn main() {}\n' });
    const t = task('cargo', source, { hostImage: { kind: 'recipe', recipe: 'rust-provided.al2', origin: 'official' }, runtime: 'provided.al2' });
    const install = cargoBuilder.install(await analysis(cargoBuilder, t), t, CROSS, HOST);
    expect(script(install)).toContain('cargo zigbuild --target aarch64-unknown-linux-gnu.2.26 --release');
    expect(script(install)).toContain('/tmp/lambda-pack-target/aarch64-unknown-linux-gnu/release/squares');
    expect(script(install)).toContain('command -v cargo-zigbuild');
  });
});

describe('the make builder', () => {
  const MAKEFILE = { Makefile: 'build-fn:\n\t$(CC) -o $(ARTIFACTS_DIR)/bootstrap main.c\n' };

  it('cross-compiles by default where the image has the GNU cross compiler, and the proof decides', async () => {
    const t = task('make', project(MAKEFILE));
    const facts = await factsOf(makeBuilder, t);
    const auto = chooseStrategy(t, facts);
    expect(auto).toMatchObject({ kind: 'cross', proof: true, buildArch: { name: 'x86_64' } });
    expect(auto.reason).toBe('the Makefile compiles for arm64 on x86_64 (make CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++, AR, LD, RANLIB and STRIP from the environment); accepted once verify and the load check pass on arm64, else rebuilt emulated');
    // Asked for, it is not second-guessed: no fallback.
    const asked = chooseStrategy({ ...t, requestedStrategy: 'cross' }, facts);
    expect(asked).toMatchObject({ kind: 'cross' });
    expect(asked.proof).toBeUndefined();
  });

  it('emulates with cross: false, and says so', async () => {
    const t = task('make', project(MAKEFILE), { cross: false });
    const facts = await factsOf(makeBuilder, t);
    expect(chooseStrategy(t, facts)).toMatchObject({ kind: 'emulated', reason: expect.stringContaining('"cross: false" is set') });
    expect(() => chooseStrategy({ ...t, requestedStrategy: 'cross' }, facts)).toThrow(/"cross: false" is set/);
  });

  it('passes the cross compilers on make\'s command line and every cross tool in the environment', async () => {
    const t = task('make', project(MAKEFILE));
    const install = makeBuilder.install(await analysis(makeBuilder, t), t, CROSS, HOST);
    expect(install.env).toMatchObject({ CC: 'aarch64-linux-gnu-gcc', CXX: 'aarch64-linux-gnu-g++', AR: 'aarch64-linux-gnu-ar', RANLIB: 'aarch64-linux-gnu-ranlib', STRIP: 'aarch64-linux-gnu-strip', ARTIFACTS_DIR: '/tmp/lambda-pack-out' });
    expect(renderStep(install.steps[0]!)).toContain('command -v aarch64-linux-gnu-gcc');
    expect(renderStep(install.steps[2]!)).toBe('make CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ build-fn');
    // A CC the config sets wins, on the command line too.
    const own = task('make', project(MAKEFILE), { env: { CC: 'aarch64-linux-gnu-gcc-12' } });
    expect(renderStep(makeBuilder.install(await analysis(makeBuilder, own), own, CROSS, HOST).steps[2]!)).toBe('make CC=aarch64-linux-gnu-gcc-12 CXX=aarch64-linux-gnu-g++ build-fn');
    const emulated = makeBuilder.install(await analysis(makeBuilder, t), t, EMULATED, HOST);
    expect(emulated.env).toEqual({ ARTIFACTS_DIR: '/tmp/lambda-pack-out' });
    expect(renderStep(emulated.steps[1]!)).toBe('make build-fn');
  });

  it('emulates where the image has no GNU cross compiler', async () => {
    const t = task('make', project(MAKEFILE), { hostImage: CONFIGURED });
    expect(chooseStrategy(t, await factsOf(makeBuilder, t))).toMatchObject({ kind: 'emulated', reason: expect.stringContaining('has no aarch64-linux-gnu cross compiler') });
  });
});
