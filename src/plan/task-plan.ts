// Pure: a placed task and its artifact's analysis → the TaskPlan, everything a build of it will do
// as data. `lambda-pack plan --json` prints it; `build` executes it.
import { ConfigError } from '../errors.js';
import type { HostFacts } from '../host.js';
import { zipTimeFrom } from '../host.js';
import { builderFor } from '../builders/index.js';
import { CONTAINER, type Analysis } from '../builders/types.js';
import { REPRODUCIBLE_ENV, COMPILER_FLAGS } from '../builders/environment.js';
import type { SourceEntry } from '../package/sources.js';
import { DEFAULT_LEVEL } from '../zip/write.js';
import { dependencyMaterial, layoutMaterial } from './keys.js';
import { chooseStrategy, type StrategyFacts } from './strategy.js';
import { stripStep, stripTool } from '../builders/strip.js';
import { describeImage } from '../recipes.js';
import type { InstallPlan, PlacedTask, Strategy, TaskPlan } from './types.js';

/** What the host side found out about an artifact: its source, its builder's analysis, content hashes. */
export interface ArtifactAnalysis {
  readonly analysis: Analysis;
  /** Hash of the install's input files (sent into the container). */
  readonly inputsHash: string;
  /** The source as it ships (when it does), with the globs that keep files out, and its hash. */
  readonly shipped?: { readonly entries: readonly SourceEntry[]; readonly skip: readonly string[]; readonly hash: string };
}

/** The values of the passEnv names, read from the host: a name that is not set is the user's mistake. */
function passEnvValues(task: PlacedTask, host: HostFacts): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of task.artifact.passEnv) {
    const value = host.env[name];
    if (value === undefined) {
      throw new ConfigError('PASS_ENV_UNSET', `Function "${task.artifact.name}": passEnv names ${name}, but it is not set in this environment. Set it, or remove it from passEnv.`, { field: 'passEnv' });
    }
    values[name] = value;
  }
  return values;
}

/**
 * The task as it builds: on the cross toolchain image (PlacedTask.crossImage) when its engine
 * image cannot compile for the target but that one can, and something compiles (a make build
 * always does); as placed otherwise.
 */
function withToolchain(task: PlacedTask, facts: (task: PlacedTask) => StrategyFacts): PlacedTask {
  if (!task.crossImage || task.requestedStrategy === 'emulated' || task.requestedStrategy === 'native' || facts(task).compileCross) return task;
  const candidate = { ...task, engineImage: task.crossImage };
  const offered = facts(candidate);
  return offered.compileCross && offered.mustCompile.length > 0 ? candidate : task;
}

export function taskPlan(placed: PlacedTask, found: ArtifactAnalysis, host: HostFacts): TaskPlan {
  const builder = builderFor(placed.artifact.builder);
  const facts = (t: PlacedTask): StrategyFacts => builder.strategyFacts?.(found.analysis, t) ?? { mustCompile: [] };
  const task = withToolchain(placed, facts);
  const strategy = chooseStrategy(task, facts(task));
  const planned = planWith(task, found, host, strategy);
  if (!strategy.proof) return planned;
  const emulated: Strategy = { kind: 'emulated', reason: `the cross build of ${task.id} failed its proof: the ${task.arch.name} container runs under emulation`, buildArch: task.arch };
  const emulatedPlan = planWith(task, found, host, emulated);
  const fallback = toolchainFallback(task, facts, found, host, strategy, emulatedPlan) ?? emulatedPlan;
  const hybrid = builder.hybrid?.(found.analysis, task);
  if (!hybrid || !emulatedPlan.install) return { ...planned, fallback };
  // The parts build where the emulated build would: its image, environment and inputs.
  const install = { ...emulatedPlan.install, steps: hybrid.steps, output: hybrid.output, drop: [], outputOptional: false, pruneBuildTrees: false };
  return { ...planned, fallback, hybrid: { install, parts: hybrid.parts, owners: hybrid.owners } };
}

/**
 * A cross install on an image without cross compilers (an official one) that its proof refuses
 * compiled something the host could not see (a lockfile without `hasInstallScript`): before
 * emulating, the same cross install on the cross toolchain image (PlacedTask.crossImage), proven
 * in turn, with the emulated build behind it.
 */
function toolchainFallback(task: PlacedTask, facts: (task: PlacedTask) => StrategyFacts, found: ArtifactAnalysis, host: HostFacts, strategy: Strategy, emulated: TaskPlan): TaskPlan | undefined {
  if (strategy.kind !== 'cross' || !task.crossImage || task.engineImage === task.crossImage) return undefined;
  const toolchain = { ...task, engineImage: task.crossImage };
  const compileCross = facts(toolchain).compileCross;
  if (!compileCross) return undefined;
  const reason = `the cross install on ${describeImage(task.engineImage)} failed its proof: ${compileCross} on ${describeImage(task.crossImage)}; accepted once its proof passes, else rebuilt emulated`;
  return { ...planWith(toolchain, found, host, { kind: 'cross', reason, buildArch: strategy.buildArch, proof: true }), fallback: emulated };
}

function planWith(task: PlacedTask, found: ArtifactAnalysis, host: HostFacts, strategy: Strategy): TaskPlan {
  const { artifact } = task;
  const builder = builderFor(artifact.builder);
  const passed = passEnvValues(task, host);
  const spec = (builder.needsContainer ? builder.install(found.analysis, task, strategy, host) : null) ?? undefined;
  const image = strategy.kind === 'cross' ? task.engineImage : task.image;
  let install: InstallPlan | null = null;
  let dependency: string | null = null;
  if (spec && image) {
    const env = { ...REPRODUCIBLE_ENV, ...(spec.compilerFlags ? COMPILER_FLAGS : {}), ...artifact.env, ...spec.env };
    install = {
      image, steps: artifact.strip ? [...spec.steps, stripStep(spec.output, stripTool(strategy.kind, task.arch))] : spec.steps, env, passEnv: artifact.passEnv, inputs: found.analysis.installInputs, generated: found.analysis.generatedInputs ?? [],
      output: spec.output, workdir: spec.workdir ?? CONTAINER.build, outputOptional: spec.outputOptional ?? false, materialiseWithin: [CONTAINER.build],
      drop: spec.drop, pruneBuildTrees: spec.pruneBuildTrees ?? false, compilerCache: artifact.compilerCache,
    };
    dependency = dependencyMaterial({
      builder: `${builder.name}@${builder.version}`, runtime: artifact.runtime.id, arch: task.arch.name, strategy: strategy.kind,
      steps: install.steps, output: spec.output, env: { ...env, ...passed }, inputs: found.inputsHash,
    });
  }
  const mtime = zipTimeFrom(host.sourceDateEpoch).toISOString();
  const source = found.shipped ? { prefix: found.analysis.sourcePath, entries: found.shipped.entries, skip: found.shipped.skip } : undefined;
  return {
    id: task.id, name: artifact.name, kind: artifact.kind, runtime: artifact.runtime.id, runtimes: artifact.runtimes.map((r) => r.id),
    arch: task.arch.name, builder: artifact.builder, builderVersion: builder.version, source: artifact.source,
    engine: { ...(task.engine.name ? { name: task.engine.name } : {}), arch: task.engine.arch.name },
    strategy: { kind: strategy.kind, reason: strategy.reason, buildArch: strategy.buildArch.name, ...(strategy.proof ? { proof: true as const } : {}) },
    install,
    package: { ...(source ? { source } : {}), ...(spec && install ? { dependencies: { prefix: spec.packagePath } } : {}) },
    output: { kind: task.imageTarget ? 'image' : 'zip', path: task.output, mtime, level: DEFAULT_LEVEL, ...(task.imageTarget ? { image: task.imageTarget } : {}) },
    keys: {
      dependency,
      source: found.shipped?.hash ?? 'none',
      // A zip accepted without the load check is not one accepted with it: turning it on checks again.
      layout: layoutMaterial({ level: DEFAULT_LEVEL, mtime, sourcePrefix: source?.prefix ?? null, skip: source?.skip ?? [], packagePath: spec && install ? spec.packagePath : null, loadCheck: task.runtimeImage !== null, image: task.imageTarget ?? null }),
    },
    verify: {
      runtimes: artifact.runtimes.map((r) => r.id), layer: artifact.kind === 'layer',
      ...(artifact.handler ? { handler: artifact.handler } : {}),
      layers: artifact.layers.map((name) => `${name}-${task.arch.name}`), allowSecrets: artifact.allowSecrets,
      loadCheck: task.runtimeImage ? { image: task.runtimeImage } : null,
    },
    ...(found.analysis.details ? { details: found.analysis.details } : {}),
  };
}
