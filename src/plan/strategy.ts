// Native, cross or emulated: how a task's container relates to its target architecture. Pure:
// the facts about the source (which packages must compile) are gathered by the caller.
import { ConfigError } from '../errors.js';
import type { PlacedTask, Strategy } from './types.js';

export interface StrategyFacts {
  /**
   * How the builder produces the target's output from a container of the engine's architecture, shown as the
   * reason (e.g. "npm installs the arm64 binaries (--cpu arm64)"); absent when it cannot.
   */
  readonly cross?: string;
  /** Why it cannot (e.g. "cross: false is set"), shown instead of the generic reason. */
  readonly noCross?: string;
  /** Packages that run a build step (install scripts, node-gyp, sdists), so need the target's CPU. */
  readonly mustCompile: readonly string[];
  /**
   * How the builder compiles those packages for the target with the cross toolchain of the
   * engine-architecture image (e.g. "node-gyp builds with aarch64-linux-gnu-g++"); absent when it
   * cannot, and they build emulated.
   */
  readonly compileCross?: string;
}

function list(names: readonly string[]): string {
  return names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
}

/** What accepts a cross build: verify, and the load check where the task has one (a layer has no init of its own). */
function proofOf(task: PlacedTask): string {
  return task.artifact.kind === 'layer' || task.runtimeImage === null ? 'verify passes' : 'verify and the load check pass';
}

export function chooseStrategy(task: PlacedTask, facts: StrategyFacts): Strategy {
  const { arch, requestedStrategy: requested } = task;
  const engineArch = task.engine.arch;
  const builder = task.artifact.builder;
  const native: Strategy = { kind: 'native', reason: `the engine runs ${engineArch.name}`, buildArch: arch };
  if (task.image === null) return { ...native, reason: 'packaged as it is: no container' };
  if (arch === engineArch) {
    if (requested === 'cross' || requested === 'emulated') return { ...native, reason: `the engine runs ${engineArch.name} already; nothing to ${requested === 'cross' ? 'cross-build' : 'emulate'}` };
    return native;
  }
  const emulated = (reason: string): Strategy => ({ kind: 'emulated', reason, buildArch: arch });
  const cross = (reason: string): Strategy => ({ kind: 'cross', reason, buildArch: engineArch });
  if (requested === 'emulated') return emulated('--strategy emulated');
  if (requested === 'native') {
    throw new ConfigError('STRATEGY_NATIVE_IMPOSSIBLE', `--strategy native: ${task.id} targets ${arch.name} but the engine runs ${engineArch.name}. Use auto, cross or emulated, or an engine on ${arch.name} hardware (docker.host).`);
  }
  const crossable = facts.cross !== undefined;
  if (requested === 'cross') {
    if (!crossable) throw new ConfigError('STRATEGY_CROSS_UNSUPPORTED', `--strategy cross: the ${builder} builder cannot cross-build ${task.id}${facts.noCross ? `: ${facts.noCross}` : ''}. Use auto or emulated.`);
    // Asked for, a cross compile is not second-guessed: a failed proof fails the task.
    if (facts.mustCompile.length > 0 && facts.compileCross) return cross(`--strategy cross: ${list(facts.mustCompile)} compile${facts.mustCompile.length === 1 ? 's' : ''} for ${arch.name} (${facts.compileCross})`);
    if (facts.mustCompile.length > 0) {
      throw new ConfigError('STRATEGY_CROSS_WOULD_DIFFER', `--strategy cross: ${task.id} has parts that must build on the target's CPU (${list(facts.mustCompile)}: they compile during install or probe the build machine); built on ${engineArch.name} they could give ${engineArch.name} binaries or other output than an emulated build. Use auto or emulated.`);
    }
    return cross('--strategy cross');
  }
  if (!crossable) return emulated(`the ${builder} builder cannot cross-build this${facts.noCross ? ` (${facts.noCross})` : ''}: the ${arch.name} container runs under emulation`);
  if (facts.mustCompile.length > 0 && facts.compileCross) {
    const compiles = `${list(facts.mustCompile)} compile${facts.mustCompile.length === 1 ? 's' : ''}`;
    // Cross-compiled bytes need not equal emulated ones: the proof, not equality, is the rule. A
    // function's proof includes its init; a layer has none of its own (its functions load it), so
    // verify is its proof. A function whose load check is off cannot be proven: it emulates.
    if (task.artifact.kind !== 'layer' && task.runtimeImage === null) return emulated(`${compiles} on ${arch.name}: a cross compile is accepted only once its load check passes, and the load check is off`);
    return { ...cross(`${compiles} for ${arch.name} on ${engineArch.name} (${facts.compileCross}); accepted once ${proofOf(task)} on ${arch.name}, else rebuilt emulated`), proof: true };
  }
  if (facts.mustCompile.length > 0) return emulated(`${list(facts.mustCompile)} must compile on ${arch.name}`);
  // Nothing is known to compile, but the host cannot see everything an install runs (a lockfile
  // written without install-script flags, a package that builds only when its prebuilt download
  // fails): the proof that accepts a cross compile accepts this cross install too, and the
  // emulated build stands by. It costs nothing when the cross build passes.
  return { ...cross(`${facts.cross!}; accepted once ${proofOf(task)} on ${arch.name}, else rebuilt emulated`), proof: true };
}
