// The hybrid of a cross compile, by value: which requirement a failed install or a refused file
// belongs to, and the plan that builds just those on the target before the cross install.
import { describe, expect, it } from 'vitest';
import { recordOwners } from '../../src/executor/owners.js';
import { hybridPlan, partsOfFailure, partsOfRefusal, prebuildPlan } from '../../src/plan/hybrid.js';
import type { HybridTemplate, InstallPlan, TaskPlan } from '../../src/plan/types.js';

const install = (image: string, steps: InstallPlan['steps'], output: string): InstallPlan => ({
  image: { kind: 'recipe', recipe: image, origin: 'local' }, steps, env: { SOURCE_DATE_EPOCH: '315532800' }, passEnv: [], inputs: [], generated: [],
  output, workdir: '/build', outputOptional: false, materialiseWithin: ['/build'], drop: [], pruneBuildTrees: false, compilerCache: false,
});

const part = (name: string, archive: string) => ({ name, distribution: name, failure: `lambda-pack: could not build ${archive} into a wheel`, steps: [{ run: ['python3.11', '-c', 'build', archive] }] });

const TEMPLATE: HybridTemplate = {
  install: install('python3.11', [{ require: 'command -v python3.11', message: 'no python' }], '/tmp/lambda-pack-python/emulated'),
  parts: [part('probe', 'probe-0.1.0.tar.gz'), part('quick', 'packages/quick')],
  owners: 'dist-info',
};

const CROSS: TaskPlan = {
  id: 'fn-arm64', name: 'fn', kind: 'function', runtime: 'python3.11', runtimes: ['python3.11'], arch: 'arm64', builder: 'pip', builderVersion: 6, source: '/src',
  engine: { arch: 'x86_64' }, strategy: { kind: 'cross', reason: 'probe, quick compile for arm64 on x86_64', buildArch: 'x86_64', proof: true },
  install: install('python3.11', [{ run: ['pip', 'install'] }], '/tmp/lambda-pack-out'), package: { dependencies: { prefix: '' } },
  output: { kind: 'zip', path: '/out/fn-arm64.zip', mtime: '1980-01-01T00:00:00.000Z', level: 6 },
  keys: { dependency: 'cross-material', source: 's', layout: 'l' },
  verify: { runtimes: ['python3.11'], layer: false, layers: [], allowSecrets: [], loadCheck: null },
  hybrid: TEMPLATE,
};

describe('tracing a cross build\'s failure to a requirement', () => {
  it('finds the requirement whose wheel build failed, and the build\'s own last words', () => {
    const tail = [
      'running build_ext',
      "subprocess.CalledProcessError: Command '['build/temp/probe_main']' returned non-zero exit status 255.",
      'lambda-pack: building probe-0.1.0.tar.gz in /tmp/lambda-pack-python/build/src/probe-0.1.0 failed (exit 1)',
      'lambda-pack: could not build probe-0.1.0.tar.gz into a wheel',
      'lambda-pack: pip failed to build every sdist and packages/quick into wheels at fixed paths',
    ].join('\n');
    expect(partsOfFailure(TEMPLATE, tail)).toEqual({ parts: ['probe'], cause: "subprocess.CalledProcessError: Command '['build/temp/probe_main']' returned non-zero exit status 255." });
  });

  it('finds none when the failure is not a part\'s build (a download, a missing wheel)', () => {
    expect(partsOfFailure(TEMPLATE, 'ERROR: No matching distribution found for six\nlambda-pack: pip failed to download requirements.txt')).toEqual({ parts: [] });
    // A line that merely mentions the archive is not its failure line.
    expect(partsOfFailure(TEMPLATE, 'Processing ./vendor/probe-0.1.0.tar.gz').parts).toEqual([]);
  });

  it('traces a refused file through the installed RECORD to its distribution, by its path or a compiled file the loader names', () => {
    const owners = new Map([
      ...recordOwners('probe-0.1.0.dist-info', 'probe.cpython-311-aarch64-linux-gnu.so,sha256=abc,70000\nprobe-0.1.0.dist-info/RECORD,,\n'),
      ...recordOwners('quick-1.0.0.dist-info', 'quick.cpython-311-aarch64-linux-gnu.so,sha256=def,70000\n'),
      ...recordOwners('six-1.16.0.dist-info', 'six.py,sha256=x,1\n'),
    ]);
    const byPath = [{ path: 'probe.cpython-311-aarch64-linux-gnu.so', message: 'ELF machine x86_64, expected aarch64' }];
    expect(partsOfRefusal(TEMPLATE, byPath, owners, '')).toEqual(['probe']);
    const byLoader = [{ path: '', message: "Runtime.ImportModuleError: Unable to import module 'app': /var/task/quick.cpython-311-aarch64-linux-gnu.so: cannot open shared object file" }];
    expect(partsOfRefusal(TEMPLATE, byLoader, owners, '')).toEqual(['quick']);
    // A layer ships its packages under python/.
    expect(partsOfRefusal(TEMPLATE, [{ path: 'python/probe.cpython-311-aarch64-linux-gnu.so', message: 'x' }], owners, 'python')).toEqual(['probe']);
  });

  it('traces nothing unless every refusal belongs to a part (the handler\'s own error, a prebuilt wheel\'s file)', () => {
    const owners = new Map([...recordOwners('probe-0.1.0.dist-info', 'probe.cpython-311-aarch64-linux-gnu.so,,\n'), ...recordOwners('six-1.16.0.dist-info', 'six.py,,\n')]);
    expect(partsOfRefusal(TEMPLATE, [{ path: '', message: "Runtime.ImportModuleError: No module named 'handler'" }], owners, '')).toEqual([]);
    expect(partsOfRefusal(TEMPLATE, [{ path: 'six.py', message: 'x' }], owners, '')).toEqual([]);
    expect(partsOfRefusal(TEMPLATE, [{ path: 'probe.cpython-311-aarch64-linux-gnu.so', message: 'x' }, { path: 'app.py', message: 'y' }], owners, '')).toEqual([]);
  });

  it('reads RECORD paths as CSV and names the distribution as pip normalises it', () => {
    expect(recordOwners('My_Pkg-2.0.dist-info', '"odd,name.py",sha256=a,1\n"quo""te.py",,\nmy_pkg/__init__.py,,\n\n')).toEqual([
      ['odd,name.py', 'my-pkg'], ['quo"te.py', 'my-pkg'], ['my_pkg/__init__.py', 'my-pkg'],
    ]);
  });
});

describe('the hybrid plan', () => {
  const why = 'the cross build of probe failed (exit 1): probe_main returned 255';

  it('builds only the chosen parts in the target\'s container, then the same cross install, keyed apart', () => {
    const plan = hybridPlan(CROSS, ['probe'], why);
    expect(plan.prebuild).toEqual({
      parts: ['probe'], why, buildArch: 'arm64',
      install: { ...TEMPLATE.install, steps: [...TEMPLATE.install.steps, ...TEMPLATE.parts[0]!.steps] },
    });
    expect(plan.install).toEqual(CROSS.install);
    expect(plan.strategy).toEqual({ kind: 'cross', buildArch: 'x86_64', proof: true, reason: `probe built alone on arm64 (emulated: ${why}); then probe, quick compile for arm64 on x86_64` });
    expect(plan.hybrid).toBeUndefined();
    expect(plan.keys.dependency).not.toBe(CROSS.keys.dependency);
    expect(hybridPlan(CROSS, ['probe', 'quick'], why).keys.dependency).not.toBe(plan.keys.dependency);
    expect(hybridPlan(CROSS, ['probe'], 'another reason').keys).toEqual(plan.keys);
  });

  it('runs its first phase as an emulated plan of the target\'s architecture', () => {
    const first = prebuildPlan(hybridPlan(CROSS, ['quick', 'probe'], why));
    expect(first.strategy).toEqual({ kind: 'emulated', buildArch: 'arm64', reason: 'builds probe and quick alone on arm64' });
    expect(first.install!.steps.map((s) => ('run' in s ? s.run.at(-1) : s.require))).toEqual(['command -v python3.11', 'probe-0.1.0.tar.gz', 'packages/quick']);
    expect(first.prebuild).toBeUndefined();
    expect(first.fallback).toBeUndefined();
  });
});
