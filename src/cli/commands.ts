// The commands behind the CLI: each takes parsed options and an IO, returns an exit code, and
// throws lambda-pack errors for the entry to render.
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config/load.js';
import { loadProject, type Project } from '../template/project.js';
import { writeBuiltTemplate } from '../template/output.js';
import { checkPackageOptions, packageProject, type PackageOptions } from './package-command.js';
import type { ProjectConfig } from '../config/types.js';
import { connectEngine } from '../docker/engine.js';
import { resolveEndpoint } from '../docker/endpoint.js';
import { Engines, type EnginesOptions } from '../docker/engines.js';
import { ImageResolver } from '../docker/images.js';
import { buildRecipe, localRecipeNames } from '../docker/recipes.js';
import { removeAbandonedContainers, removeRunContainers } from '../docker/container.js';
import { removeCacheVolumes } from '../docker/volumes.js';
import { runPlan } from '../build/run.js';
import { lockOutDir } from '../build/lock.js';
import { DependencyCache } from '../cache/store.js';
import { cacheRoot } from '../cache/location.js';
import { readManifest, type ArtifactRecord } from '../package/manifest.js';
import { planStatus } from '../build/status.js';
import { plan as makePlan } from '../plan/plan.js';
import type { RequestedStrategy } from '../plan/types.js';
import { ARCH_NAMES, architecture, isArchName, type ArchName } from '../runtimes.js';
import { ConfigError, InterruptedError } from '../errors.js';
import { EXIT, exitCodeFor, UsageError } from './errors.js';
import { buildHuman, buildJson, planHuman, planJson } from './render.js';

export interface IO {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM; reason is the signal name. */
  readonly signal: AbortSignal;
}

export interface CommonOptions { config?: string; template?: string; json?: boolean; verbose?: boolean }
export interface PlanOptions extends CommonOptions { arch?: string; out?: string; strategy?: RequestedStrategy }
export interface BuildOptions extends PlanOptions, Omit<PackageOptions, keyof PlanOptions> { concurrency?: string; cache?: boolean; package?: boolean }

function parseArch(value: string | undefined): ArchName | undefined {
  if (value === undefined || value === 'all') return undefined;
  if (!isArchName(value)) throw new UsageError('BAD_ARCH', `--arch ${value} is not an architecture lambda-pack builds for. Use ${ARCH_NAMES.join(', ')} or all.`);
  return value;
}

function parseConcurrency(value: string | undefined, config: ProjectConfig): number {
  if (value === undefined) return config.concurrency ?? Math.max(1, os.availableParallelism());
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError('BAD_CONCURRENCY', `--concurrency ${value} must be a whole number from 1 to 64.`);
  return n;
}

function parseMemory(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const match = /^(\d+(?:\.\d+)?)([kmg]?)$/i.exec(value)!;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(match[1]) * unit);
}

function writeJson(io: IO, value: object): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Loads the config and plans. The engines of the architectures that need containers are
 * health-checked first, in parallel: a task builds natively when its engine runs its architecture.
 * An engine that does not answer fails its own tasks later, with the reason; the rest go on.
 */
async function loadAndPlan(names: string[], options: PlanOptions, io: IO, engineOptions?: EnginesOptions) {
  const project = await loadProject({ cwd: io.cwd, configFile: options.config, templateFile: options.template });
  const config = project.config;
  for (const warning of project.warnings) io.stderr.write(`lambda-pack: warning: ${warning.message}\n`);
  const outDir = options.out ? path.resolve(io.cwd, options.out) : undefined;
  const selection = { names, arch: parseArch(options.arch), outDir, strategy: options.strategy };
  const engines = new Engines(config.docker, io.env, engineOptions);
  const needed = [...new Set(makePlan(config, selection).tasks.filter((t) => t.image !== null).map((t) => t.arch.name))];
  const answers = await engines.probe(needed);
  const chosen = Object.fromEntries(needed.map((arch) => {
    const answer = answers.get(arch);
    return [arch, { name: engines.describe(arch), host: answer instanceof Error ? undefined : answer?.arch?.name }];
  }));
  return { config, project, engines, plan: makePlan(config, { ...selection, engines: chosen }) };
}

export async function planCommand(names: string[], options: PlanOptions, io: IO): Promise<number> {
  const { engines, plan } = await loadAndPlan(names, options, io);
  const statuses = await planStatus(plan, {
    cache: new DependencyCache(cacheRoot(io.env)), previous: await previousRecords(plan.outDir), hostEnv: io.env, noCache: false,
    images: (arch) => engines.images(arch),
  });
  if (options.json) writeJson(io, planJson(plan, statuses));
  else io.stderr.write(`${planHuman(plan, io.cwd, statuses)}\n`);
  return EXIT.ok;
}

async function previousRecords(outDir: string): Promise<Map<string, ArtifactRecord>> {
  return new Map(((await readManifest(outDir))?.artifacts ?? []).map((r) => [`${r.name}-${r.arch}`, r]));
}

export async function buildCommand(names: string[], options: BuildOptions, io: IO): Promise<number> {
  if (options.package) checkPackageOptions(options);
  const { config, project, engines, plan } = await loadAndPlan(names, options, io, {
    onConnect: async (e) => { await removeAbandonedContainers(e).catch(() => 0); },
    progress: (line) => { if (options.verbose) io.stderr.write(`${line}\n`); },
  });
  const concurrency = parseConcurrency(options.concurrency, config);
  const runId = randomBytes(6).toString('hex');
  const lock = await lockOutDir(plan.outDir, {
    signal: io.signal,
    onWait: (holder) => io.stderr.write(`lambda-pack: waiting for another build (pid ${holder.pid}, started ${holder.started}) writing to ${plan.outDir}…\n`),
  });
  let result: Awaited<ReturnType<typeof runPlan>>;
  try {
    const previous = await previousRecords(plan.outDir);
    result = await runPlan(plan, {
      cache: new DependencyCache(cacheRoot(io.env)),
      noCache: options.cache === false,
      previous,
      engine: (arch) => engines.forArch(arch),
      images: (arch) => engines.images(arch),
      runId,
      signal: io.signal,
      owner: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
      certificates: config.certificates,
      memoryBytes: parseMemory(config.docker.memory),
      hostEnv: io.env,
      now: () => Date.now(),
    }, { concurrency, verbose: !!options.verbose, progress: io.stderr, plain: !io.stderr.isTTY || !!io.env.CI });
  } finally {
    await lock.release();
  }
  // Containers are removed as each task ends; this sweeps any a dying engine call left behind.
  await Promise.all((await engines.connected()).map((e) => removeRunContainers(e, runId).catch(() => 0)));
  if (io.signal.aborted) throw new InterruptedError(io.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
  if (options.json) writeJson(io, buildJson(result));
  else io.stderr.write(`${buildHuman(result, plan.outDir)}\n`);
  const failures = result.outcomes.filter((o) => !o.ok).map((o) => !o.ok ? o.error : undefined);
  if (failures.length === 0) return afterBuild(project, plan.outDir, options, io);
  // A run where every failure is the user's input is a usage error; anything else a build failure.
  return failures.every((e) => exitCodeFor(e) === EXIT.usage) ? EXIT.usage : EXIT.failed;
}

export async function imagesBuildCommand(options: { arch?: string; verbose?: boolean; host?: string }, io: IO): Promise<number> {
  const arch = parseArch(options.arch);
  const engine = await connectEngine(options.host ? { address: options.host, origin: '--host' } : resolveEndpoint(undefined, io.env));
  const resolver = new ImageResolver(engine, (line) => { if (options.verbose) io.stderr.write(`${line}\n`); });
  for (const name of localRecipeNames()) {
    for (const archName of arch ? [arch] : ARCH_NAMES) {
      const ref = (await resolver.resolve({ kind: 'recipe', recipe: name, origin: 'local' }, architecture(archName))).ref;
      io.stderr.write(`${name} ${archName}: ${ref}\n`);
    }
  }
  return EXIT.ok;
}

/** The engines `clean --volumes` empties: every one the project's config names, else the default. */
async function engineEndpoints(configFile: string | undefined, io: IO) {
  const config = await loadConfig({ cwd: io.cwd, configFile }).catch((error: unknown) => {
    if (!configFile && error instanceof ConfigError && error.code === 'CONFIG_NOT_FOUND') return undefined;
    throw error;
  });
  if (!config) return [resolveEndpoint(undefined, io.env)];
  const engines = new Engines(config.docker, io.env);
  const all = ARCH_NAMES.map((arch) => engines.endpoint(arch));
  return all.filter((e, i) => all.findIndex((o) => o.address === e.address) === i);
}

export async function cleanCommand(options: { volumes?: boolean; config?: string }, io: IO): Promise<number> {
  const cache = new DependencyCache(cacheRoot(io.env));
  const entries = await cache.entries();
  await cache.clear();
  io.stderr.write(`removed the dependency cache at ${cache.root} (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, ${(entries.reduce((n, e) => n + e.bytes, 0) / 1024 ** 2).toFixed(1)} MiB)\n`);
  if (options.volumes) {
    for (const endpoint of await engineEndpoints(options.config, io)) {
      const removed = await removeCacheVolumes(await connectEngine(endpoint));
      io.stderr.write(`removed ${removed.length} package-manager cache volume(s) from ${endpoint.address}${removed.length ? `: ${removed.join(', ')}` : ''}\n`);
    }
  }
  return EXIT.ok;
}

// --- Template projects (issue 16): the built template, then `--package`. Kept apart for the lead to move. ---
async function afterBuild(project: Project, outDir: string, options: BuildOptions, io: IO): Promise<number> {
  if (project.template) {
    const written = await writeBuiltTemplate(project.template, (await readManifest(outDir))?.artifacts ?? [], outDir);
    io.stderr.write(written.file ? `built template: ${written.file}\n`
      : `lambda-pack: the built template was not written: no zip yet for ${written.missing.join(', ')} (build them too).\n`);
  }
  if (!options.package) return EXIT.ok;
  return packageProject(project, outDir, options, io);
}
