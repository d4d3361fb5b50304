import { describe, expect, it } from 'vitest';
import { chooseStrategy } from '../../src/plan/strategy.js';
import type { PlacedTask, RequestedStrategy } from '../../src/plan/types.js';
import { ARCHITECTURES } from '../../src/runtimes.js';
import { ConfigError } from '../../src/errors.js';

function task(builder: string, arch: 'x86_64' | 'arm64', requested: RequestedStrategy = 'auto', image: PlacedTask['image'] = { kind: 'recipe', recipe: 'nodejs22.x', origin: 'local' }): PlacedTask {
  return {
    id: `fn-${arch}`, arch: ARCHITECTURES[arch], engine: { arch: ARCHITECTURES.x86_64 }, image, engineImage: image, requestedStrategy: requested, runtimeImage: null,
    output: '/out/fn.zip', artifact: { builder } as PlacedTask['artifact'],
  };
}

const NPM = { mustCompile: [], cross: 'no package compiles during install: x86_64 npm installs the arm64 binaries (--cpu arm64)' };
const NO_CROSS = { mustCompile: [] };

describe('build strategy', () => {
  it('is native when the engine runs the target architecture', () => {
    expect(chooseStrategy(task('npm', 'x86_64'), { ...NPM, mustCompile: ['addon'] })).toMatchObject({ kind: 'native', buildArch: ARCHITECTURES.x86_64 });
  });

  it('cross-installs npm for arm64 when nothing compiles, in a container of the engine\'s architecture', () => {
    const strategy = chooseStrategy({ ...task('npm', 'arm64'), runtimeImage: { kind: 'recipe', recipe: 'runtime-nodejs22.x', origin: 'local' } }, NPM);
    // Proven too: the host cannot see every install script (a lockfile without hasInstallScript).
    expect(strategy).toEqual({ kind: 'cross', buildArch: ARCHITECTURES.x86_64, proof: true, reason: `${NPM.cross}; accepted once verify and the load check pass on arm64, else rebuilt emulated` });
    const layer = { ...task('npm', 'arm64'), artifact: { ...task('npm', 'arm64').artifact, kind: 'layer' as const } };
    expect(chooseStrategy(layer, NPM)).toMatchObject({ proof: true, reason: expect.stringContaining('accepted once verify passes on arm64') });
    expect(chooseStrategy(task('npm', 'arm64'), NPM)).toMatchObject({ proof: true, reason: expect.stringContaining('accepted once verify passes on arm64') });
    // Asked for, a cross install is not second-guessed.
    expect(chooseStrategy(task('npm', 'arm64', 'cross'), NPM).proof).toBeUndefined();
  });

  it('emulates when a package must compile, and names it', () => {
    expect(chooseStrategy(task('npm', 'arm64'), { ...NPM, mustCompile: ['native-sum'] })).toMatchObject({
      kind: 'emulated', buildArch: ARCHITECTURES.arm64, reason: 'native-sum must compile on arm64',
    });
  });

  it('cross-compiles what must compile when the builder can, proven, with an emulated fallback', () => {
    const facts = { ...NPM, mustCompile: ['bcrypt', 'better-sqlite3'], compileCross: 'node-gyp builds with aarch64-linux-gnu-g++' };
    const checked = (t: PlacedTask): PlacedTask => ({ ...t, runtimeImage: { kind: 'recipe', recipe: 'runtime-nodejs22.x', origin: 'local' }, artifact: { builder: 'npm', kind: 'function' } as PlacedTask['artifact'] });
    const strategy = chooseStrategy(checked(task('npm', 'arm64')), facts);
    expect(strategy).toEqual({
      kind: 'cross', buildArch: ARCHITECTURES.x86_64, proof: true,
      reason: 'bcrypt, better-sqlite3 compile for arm64 on x86_64 (node-gyp builds with aarch64-linux-gnu-g++); accepted once verify and the load check pass on arm64, else rebuilt emulated',
    });
    // --strategy cross: the user's choice, without a fallback; emulated and native targets stay as they were.
    // Without its load check a function cannot be proven, so it emulates; a layer's proof is verify.
    expect(chooseStrategy({ ...checked(task('npm', 'arm64')), runtimeImage: null }, facts)).toEqual({
      kind: 'emulated', buildArch: ARCHITECTURES.arm64,
      reason: 'bcrypt, better-sqlite3 compile on arm64: a cross compile is accepted only once its load check passes, and the load check is off',
    });
    const layer = { ...task('npm', 'arm64'), artifact: { builder: 'npm', kind: 'layer' } as PlacedTask['artifact'] };
    expect(chooseStrategy(layer, facts)).toMatchObject({ kind: 'cross', proof: true, reason: expect.stringContaining('accepted once verify passes on arm64, else rebuilt emulated') });
    expect(chooseStrategy(task('npm', 'arm64', 'cross'), facts)).toEqual({ kind: 'cross', buildArch: ARCHITECTURES.x86_64, reason: '--strategy cross: bcrypt, better-sqlite3 compile for arm64 (node-gyp builds with aarch64-linux-gnu-g++)' });
    expect(chooseStrategy(task('npm', 'arm64', 'emulated'), facts)).toMatchObject({ kind: 'emulated' });
    expect(chooseStrategy(task('npm', 'x86_64'), facts)).toMatchObject({ kind: 'native' });
    expect(chooseStrategy(task('npm', 'x86_64'), facts).proof).toBeUndefined();
  });

  it('emulates where the builder cannot cross-build, and says so', () => {
    const strategy = chooseStrategy(task('make', 'arm64'), NO_CROSS);
    expect(strategy.kind).toBe('emulated');
    expect(strategy.reason).toContain('the make builder cannot cross-build this');
  });

  it('follows --strategy, and refuses one that would give wrong binaries', () => {
    expect(chooseStrategy(task('npm', 'arm64', 'emulated'), NPM).kind).toBe('emulated');
    expect(chooseStrategy(task('npm', 'arm64', 'cross'), NPM).kind).toBe('cross');
    expect(() => chooseStrategy(task('npm', 'arm64', 'cross'), { ...NPM, mustCompile: ['addon'] })).toThrow(ConfigError);
    expect(() => chooseStrategy(task('make', 'arm64', 'cross'), NO_CROSS)).toThrow(/make builder cannot cross-build/);
    expect(() => chooseStrategy(task('npm', 'arm64', 'native'), NPM)).toThrow(/engine runs x86_64/);
  });

  it('needs no strategy for artifacts packaged without a container', () => {
    expect(chooseStrategy(task('copy', 'arm64', 'auto', null), NPM)).toMatchObject({ kind: 'native', reason: 'packaged as it is: no container' });
  });
});
