// The install each builder plans, by value (as CDK's bundling tests check the rendered command):
// steps, environment, output, what is sent in and what never ships, for native, cross and layer
// tasks of npm, pip, cargo and make.
import { stripStep } from '../../src/builders/strip.js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { renderScript } from '../../src/executor/script.js';
import { placeTasks, plan } from '../../src/plan/plan.js';
import { taskPlan } from '../../src/plan/task-plan.js';
import type { TaskPlan } from '../../src/plan/types.js';
import { analyzeArtifact } from '../../src/project/analyze.js';
import { WHEEL_BUILDER_PROGRAM } from '../../src/builders/python/wheel-builder-program.js';
import { ARCHITECTURES } from '../../src/runtimes.js';
import { HOST } from '../helpers/host.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

const CONFIG = `imageSet: local
architectures: [x86_64, arm64]
functions:
  api: { runtime: nodejs22.x, source: api, handler: index.handler }
  app: { runtime: python3.11, source: app, handler: app.handler }
  squares: { runtime: provided.al2023, source: squares }
  csquares: { runtime: provided.al2023, source: csquares, cross: true, env: { CC: my-cc } }
  tool: { runtime: provided.al2023, source: tools/tool, workingDirectory: tools, makeTarget: build-all }
layers:
  nodelib: { runtimes: [nodejs22.x], source: nodelib }
  pylib: { runtimes: [python3.11], source: pylib }
`;

async function plans(): Promise<Map<string, TaskPlan>> {
  project = tempProject({
    'lambda-pack.config.yaml': CONFIG,
    'api/index.js': '', 'api/package.json': '{"dependencies":{"ms":"2.1.3"}}', 'api/package-lock.json': '{"lockfileVersion":3,"packages":{}}', 'api/.npmrc': '',
    'nodelib/package.json': '{"dependencies":{"ms":"2.1.3"}}', 'nodelib/package-lock.json': '{"lockfileVersion":3,"packages":{}}',
    'app/app.py': '', 'app/requirements.txt': 'tally==1.0\n', 'app/pip.conf': '[global]\n',
    'pylib/requirements.txt': './slugkit\n', 'pylib/slugkit/pyproject.toml': '[project]\nname = "slugkit"\nversion = "1"\n',
    'squares/Cargo.toml': '[package]\nname = "squares"\nversion = "1.0.0"\n', 'squares/Cargo.lock': 'version = 3\n', 'squares/src/main.rs': '',
    'csquares/Makefile': 'build-csquares:\n\tcc -o $(ARTIFACTS_DIR)/bootstrap main.c\n', 'csquares/main.c': '',
    'tools/tool/Makefile': 'build-all:\n\tcc -o $(ARTIFACTS_DIR)/bootstrap ../shared/lib.c\n', 'tools/shared/lib.c': '',
  });
  const config = await loadConfig({ host: HOST, cwd: project.root });
  const placed = placeTasks(config, plan(config), { x86_64: { name: 'default' }, arm64: { name: 'default' } }, ARCHITECTURES.x86_64);
  const result = new Map<string, TaskPlan>();
  for (const task of placed) result.set(task.id, taskPlan(task, await analyzeArtifact(task.artifact, HOST), HOST));
  return result;
}

const BASE_ENV = { HOME: '/tmp/lambda-pack-home', LC_ALL: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', PYTHONHASHSEED: '0', SOURCE_DATE_EPOCH: '315532800', TZ: 'UTC', npm_config_update_notifier: 'false' };
const CFLAGS = { CFLAGS: '-ffile-prefix-map=/build=.', CXXFLAGS: '-ffile-prefix-map=/build=.' };
const LOCAL = (recipe: string) => ({ kind: 'recipe', recipe, origin: 'local' });

describe('the install each builder plans', () => {
  it('npm: npm ci without dev dependencies, natively; --cpu/--os/--libc for the target from x86_64', async () => {
    const all = await plans();
    expect(all.get('api-x86_64')!.install).toMatchObject({
      image: LOCAL('nodejs22.x'),
      steps: [{ run: ['npm', 'ci', '--omit=dev', '--no-audit', '--no-fund', '--foreground-scripts', '--loglevel=warn'] }],
      env: { ...BASE_ENV, ...CFLAGS }, output: '/build/node_modules', outputOptional: false,
      drop: ['**/*.o', '**/*.a', '**/*.target.mk', '.package-lock.json'], pruneBuildTrees: true,
    });
    expect(all.get('api-x86_64')!.install!.inputs.map((e) => e.path)).toEqual(['.npmrc', 'package-lock.json', 'package.json']);
    expect(all.get('api-arm64')!.strategy).toEqual({ kind: 'cross', buildArch: 'x86_64', reason: 'no package compiles during install: x86_64 npm installs the arm64 binaries (--cpu arm64); accepted once verify and the load check pass on arm64, else rebuilt emulated', proof: true });
    expect(all.get('api-arm64')!.install!.steps).toEqual([{ run: ['npm', 'ci', '--omit=dev', '--no-audit', '--no-fund', '--foreground-scripts', '--loglevel=warn', '--cpu=arm64', '--os=linux', '--libc=glibc'] }]);
    expect(all.get('api-x86_64')!.package).toMatchObject({ source: { prefix: '', skip: ['.npmrc'] }, dependencies: { prefix: 'node_modules' } });
    expect(all.get('api-x86_64')!.package.source!.entries.map((e) => e.path)).toEqual(['index.js', 'package-lock.json', 'package.json']);
  });

  it('npm layer: node_modules only, under nodejs/node_modules', async () => {
    const layer = (await plans()).get('nodelib-arm64')!;
    expect(layer.package).toEqual({ dependencies: { prefix: 'nodejs/node_modules' } });
    expect(layer.verify).toMatchObject({ layer: true, runtimes: ['nodejs22.x'] });
  });

  it('pip: download everything, build every sdist at a fixed path, install the wheels (pip.conf configuring it); the target\'s wheels with --platform from x86_64', async () => {
    const all = await plans();
    const QUIET = ['--disable-pip-version-check', '--progress-bar', 'off', '--no-input'];
    const download = ['python3.11', '-m', 'pip', 'download', ...QUIET, '--dest', '/tmp/lambda-pack-python/dist'];
    const build = (local: string[]) => ({ run: ['python3.11', '-c', WHEEL_BUILDER_PROGRAM, '/tmp/lambda-pack-python/dist', '/tmp/lambda-pack-python/build', JSON.stringify({ local })], onFailure: expect.stringContaining('pip failed to build every sdist') });
    const install = ['python3.11', '-m', 'pip', 'install', ...QUIET, '--no-deps', '--no-index', '--no-compile', '--no-warn-script-location', '--find-links', '/tmp/lambda-pack-python/dist', '--target', '/tmp/lambda-pack-out'];
    expect(all.get('app-x86_64')!.install).toMatchObject({
      steps: [
        { require: 'command -v python3.11 >/dev/null', message: 'lambda-pack: python3.11 is not in this image; use an image made for python3.11' },
        { run: [...download, '-r', 'requirements.txt'], onFailure: 'lambda-pack: pip failed to download requirements.txt and everything it requires' },
        build([]),
        { run: [...install, '-r', '/tmp/lambda-pack-python/build/installs.txt'], onFailure: 'lambda-pack: pip failed to install the wheels' },
      ],
      env: { ...BASE_ENV, ...CFLAGS, PIP_CONFIG_FILE: '/build/pip.conf' }, output: '/tmp/lambda-pack-out',
      drop: ['**/__pycache__/**', '**/__pycache__', '**/*.pyc', '**/*.pyo', 'bin/**', 'bin', '*.dist-info/direct_url.json'],
    });
    const layer = all.get('pylib-arm64')!;
    expect(layer.strategy.kind).toBe('cross');
    const platform = ['--platform', 'manylinux_2_26_aarch64', '--platform', 'manylinux_2_25_aarch64', '--platform', 'manylinux_2_24_aarch64', '--platform', 'manylinux_2_23_aarch64',
      '--platform', 'manylinux_2_22_aarch64', '--platform', 'manylinux_2_21_aarch64', '--platform', 'manylinux_2_20_aarch64', '--platform', 'manylinux_2_19_aarch64',
      '--platform', 'manylinux_2_18_aarch64', '--platform', 'manylinux_2_17_aarch64', '--platform', 'manylinux2014_aarch64',
      '--implementation', 'cp', '--python-version', '3.11', '--abi', 'cp311', '--only-binary=:all:'];
    expect(layer.install!.steps.slice(1)).toEqual([
      { run: [...download, ...platform, '-r', 'requirements.txt'], onFailure: expect.stringContaining('pip found no aarch64 wheel for a requirement') },
      build(['slugkit']),
      { run: [...install, ...platform, '-r', '/tmp/lambda-pack-python/build/installs.txt'], onFailure: 'lambda-pack: pip failed to install the wheels' },
    ]);
    // A layer's own modules ship under python/ beside its dependencies; the local project it installs does not.
    expect(layer.package).toMatchObject({ source: { prefix: 'python', entries: [] }, dependencies: { prefix: 'python' } });
  });

  it('cargo: the release binary as bootstrap, --locked; --target and the cross linker for arm64; paths remapped', async () => {
    const all = await plans();
    const rustflags = `--remap-path-prefix=/build=. --remap-path-prefix=/lambda-pack-cache/${HOST.owner.uid}/cargo=cargo`;
    expect(all.get('squares-x86_64')!.install).toMatchObject({
      steps: [
        { require: 'command -v cargo >/dev/null', message: expect.stringContaining('cargo is not in this image') },
        { run: ['cargo', 'build', '--release', '--locked', '--target-dir', '/tmp/lambda-pack-target', '--bin', 'squares'] },
        { run: ['mkdir', '-p', '/tmp/lambda-pack-out'] },
        { run: ['install', '-m', '0755', '/tmp/lambda-pack-target/release/squares', '/tmp/lambda-pack-out/bootstrap'] },
        // strip is on for cargo: the image's own strip natively, the cross one for arm64 (below).
        stripStep('/tmp/lambda-pack-out', 'strip'),
      ],
      env: { ...BASE_ENV, ...CFLAGS, RUSTFLAGS: rustflags, CARGO_INCREMENTAL: '0' },
    });
    const cross = all.get('squares-arm64')!.install!;
    expect(cross.steps[1]).toMatchObject({ require: expect.stringContaining('aarch64-linux-gnu-gcc') });
    expect(cross.steps[2]).toEqual({ run: ['cargo', 'build', '--target', 'aarch64-unknown-linux-gnu', '--release', '--locked', '--target-dir', '/tmp/lambda-pack-target', '--bin', 'squares'] });
    expect(cross.steps[4]).toEqual({ run: ['install', '-m', '0755', '/tmp/lambda-pack-target/aarch64-unknown-linux-gnu/release/squares', '/tmp/lambda-pack-out/bootstrap'] });
    expect(cross.env).toMatchObject({ CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER: 'aarch64-linux-gnu-gcc', RUSTFLAGS: rustflags });
    expect(cross.steps.at(-1)).toEqual(stripStep('/tmp/lambda-pack-out', 'aarch64-linux-gnu-strip'));
  });

  it("make: the build-<Name> target with ARTIFACTS_DIR, the Makefile's own CFLAGS, the config's CC kept over the cross one", async () => {
    const all = await plans();
    expect(all.get('csquares-x86_64')!.install).toMatchObject({
      steps: [{ run: ['mkdir', '-p', '/tmp/lambda-pack-out'] }, { run: ['make', 'build-csquares'] }],
      env: { ...BASE_ENV, CC: 'my-cc', ARTIFACTS_DIR: '/tmp/lambda-pack-out' }, drop: ['**/*.o', '**/*.d'],
    });
    expect(all.get('csquares-x86_64')!.install!.env).not.toHaveProperty('CFLAGS');
    expect(all.get('csquares-arm64')!.install!.env).toMatchObject({ CC: 'my-cc', CXX: 'aarch64-linux-gnu-g++', AR: 'aarch64-linux-gnu-ar', CROSS_COMPILE: 'aarch64-linux-gnu-' });
  });

  it("make in another working directory: that tree goes in, make -f reads the source's Makefile, the named target runs", async () => {
    const tool = (await plans()).get('tool-x86_64')!.install!;
    expect(tool.steps.at(-1)).toEqual({ run: ['make', '-f', '/build/tool/Makefile', 'build-all'] });
    expect(tool.workdir).toBe('/build');
    expect(tool.inputs.map((e) => e.path)).toEqual(['shared', 'shared/lib.c', 'tool', 'tool/Makefile']);
    expect((await plans()).get('csquares-x86_64')!.install!.workdir).toBe('/build');
  });

  it('renders steps into one script, every argument quoted', () => {
    const script = renderScript([{ run: ['echo', "it's"] }, { require: 'command -v x >/dev/null', message: 'no x' }, { run: ['false'], onFailure: 'it failed' }], { uid: 1000, extraCertificates: false });
    expect(script.split('\n').slice(-3)).toEqual([
      "echo 'it'\\''s'",
      "command -v x >/dev/null || { echo 'no x' >&2; exit 127; }",
      "false || { status=$?; echo 'it failed' >&2; exit $status; }",
    ]);
    expect(script).toContain('export npm_config_cache=/lambda-pack-cache/1000/npm PIP_CACHE_DIR=/lambda-pack-cache/1000/pip CARGO_HOME=/lambda-pack-cache/1000/cargo');
  });
});
