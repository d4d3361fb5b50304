import { describe, expect, it } from 'vitest';
import { chooseStrategy } from '../../src/plan/strategy.js';
import type { RequestedStrategy, Task } from '../../src/plan/types.js';
import { ARCHITECTURES } from '../../src/runtimes.js';
import { ConfigError } from '../../src/errors.js';

function task(builder: string, arch: 'x86_64' | 'arm64', requested: RequestedStrategy = 'auto', image: Task['image'] = { kind: 'recipe', recipe: 'nodejs22.x', origin: 'local' }): Task {
  return {
    id: `fn-${arch}`, arch: ARCHITECTURES[arch], host: ARCHITECTURES.x86_64, image, hostImage: image, requestedStrategy: requested,
    output: '/out/fn.zip', artifact: { builder } as Task['artifact'],
  };
}

describe('build strategy', () => {
  it('is native when the engine runs the target architecture', () => {
    expect(chooseStrategy(task('npm', 'x86_64'), { mustCompile: ['addon'] })).toMatchObject({ kind: 'native', buildArch: ARCHITECTURES.x86_64 });
  });

  it('cross-installs npm for arm64 when nothing compiles, in a host container', () => {
    const strategy = chooseStrategy(task('npm', 'arm64'), { mustCompile: [] });
    expect(strategy).toMatchObject({ kind: 'cross', buildArch: ARCHITECTURES.x86_64 });
    expect(strategy.reason).toContain('--cpu arm64');
  });

  it('emulates when a package must compile, and names it', () => {
    expect(chooseStrategy(task('npm', 'arm64'), { mustCompile: ['native-sum'] })).toMatchObject({
      kind: 'emulated', buildArch: ARCHITECTURES.arm64, reason: 'native-sum must compile on arm64',
    });
  });

  it('emulates builders that cannot cross-build yet, and says so', () => {
    for (const builder of ['pip', 'cargo', 'make']) {
      const strategy = chooseStrategy(task(builder, 'arm64'), { mustCompile: [] });
      expect(strategy.kind).toBe('emulated');
      expect(strategy.reason).toContain(`the ${builder} builder cannot cross-build yet`);
    }
  });

  it('follows --strategy, and refuses one that would give wrong binaries', () => {
    expect(chooseStrategy(task('npm', 'arm64', 'emulated'), { mustCompile: [] }).kind).toBe('emulated');
    expect(chooseStrategy(task('npm', 'arm64', 'cross'), { mustCompile: [] }).kind).toBe('cross');
    expect(() => chooseStrategy(task('npm', 'arm64', 'cross'), { mustCompile: ['addon'] })).toThrow(ConfigError);
    expect(() => chooseStrategy(task('pip', 'arm64', 'cross'), { mustCompile: [] })).toThrow(/only npm/);
    expect(() => chooseStrategy(task('npm', 'arm64', 'native'), { mustCompile: [] })).toThrow(/engine runs x86_64/);
  });

  it('needs no strategy for artifacts packaged without a container', () => {
    expect(chooseStrategy(task('copy', 'arm64', 'auto', null), { mustCompile: [] })).toMatchObject({ kind: 'native', reason: 'packaged as it is: no container' });
  });
});
