// The commands behind the CLI: each takes parsed options and an IO, calls the project's
// orchestration, renders, and returns an exit code; lambda-pack errors go up to the entry.
import { cacheRoot } from '../cache/location.js';
import { DependencyCache } from '../cache/store.js';
import { loadProject } from '../template/project.js';
import { ConfigError } from '../errors.js';
import { checkPackageOptions, packageProject, type PackageOptions } from './package-command.js';
import { connectEngine } from '../docker/engine.js';
import { resolveEndpoint } from '../docker/endpoint.js';
import { Engines } from '../docker/engines.js';
import { ImageResolver } from '../docker/images.js';
import { removeCacheVolumes } from '../docker/volumes.js';
import type { HostFacts } from '../host.js';
import type { RequestedStrategy, Selection } from '../plan/types.js';
import { buildProject } from '../project/build-project.js';
import { decideProject, planProject, previousRecords } from '../project/plan-project.js';
import { localRecipeNames } from '../recipes.js';
import { ARCH_NAMES, architecture, isArchName, type ArchName } from '../runtimes.js';
import path from 'node:path';
import { EXIT, exitCodeFor, UsageError } from './errors.js';
import { buildHuman, buildJson, planHuman, planJson } from './render.js';

export interface IO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM; reason is the signal name. */
  readonly signal: AbortSignal;
  /** The machine's facts, read once by the entry. */
  readonly host: HostFacts;
}

export interface CommonOptions { config?: string; template?: string; json?: boolean; verbose?: boolean }
export interface PlanOptions extends CommonOptions { arch?: string; out?: string; strategy?: RequestedStrategy; loadCheck?: boolean; push?: boolean }
export interface BuildOptions extends PlanOptions, Omit<PackageOptions, keyof PlanOptions> { concurrency?: string; cache?: boolean; package?: boolean }

function parseArch(value: string | undefined): ArchName | undefined {
  if (value === undefined || value === 'all') return undefined;
  if (!isArchName(value)) throw new UsageError('BAD_ARCH', `--arch ${value} is not an architecture lambda-pack builds for. Use ${ARCH_NAMES.join(', ')} or all.`);
  return value;
}

function parseConcurrency(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError('BAD_CONCURRENCY', `--concurrency ${value} must be a whole number from 1 to 64.`);
  return n;
}

function selection(names: string[], options: PlanOptions, io: IO): Selection {
  return { names, arch: parseArch(options.arch), outDir: options.out ? path.resolve(io.cwd, options.out) : undefined, strategy: options.strategy, loadCheck: options.loadCheck !== false, push: options.push === true };
}

function writeJson(io: IO, value: object): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** What the template holds that lambda-pack does not build or cannot check, said before anything else. */
function warn(io: IO, warnings: readonly { message: string }[]): void {
  for (const warning of warnings) io.stderr.write(`lambda-pack: warning: ${warning.message}\n`);
}

export async function planCommand(names: string[], options: PlanOptions, io: IO): Promise<number> {
  const project = await planProject({ cwd: io.cwd, configFile: options.config, templateFile: options.template, selection: selection(names, options, io), host: io.host });
  warn(io, project.warnings);
  const decided = await decideProject(project, { noCache: false, previous: await previousRecords(project.outDir) });
  if (options.json) writeJson(io, planJson(project.outDir, decided));
  else io.stderr.write(`${planHuman(project.outDir, decided, io.cwd)}\n`);
  return EXIT.ok;
}

export async function buildCommand(names: string[], options: BuildOptions, io: IO): Promise<number> {
  const concurrency = parseConcurrency(options.concurrency);
  if (options.package) checkPackageOptions(options);
  const result = await buildProject({
    cwd: io.cwd, configFile: options.config, templateFile: options.template, selection: selection(names, options, io), host: io.host,
    onPlanned: (project) => warn(io, project.warnings),
    engines: { progress: (line) => { if (options.verbose) io.stderr.write(`${line}\n`); } },
    noCache: options.cache === false, concurrency, verbose: !!options.verbose, progress: io.stderr,
    plain: !io.stderr.isTTY || !!io.env.CI, signal: io.signal,
    onWait: (holder) => io.stderr.write(`lambda-pack: waiting for another build (pid ${holder.pid}, started ${holder.started}) writing to this output directory…\n`),
  });
  if (options.json) writeJson(io, buildJson(result));
  else io.stderr.write(`${buildHuman(result, result.outDir)}\n`);
  if (result.builtTemplate) {
    io.stderr.write(result.builtTemplate.file ? `built template: ${result.builtTemplate.file}\n`
      : `lambda-pack: the built template was not written: no zip yet for ${result.builtTemplate.missing.join(', ')} (build them too).\n`);
  }
  const failures = result.outcomes.flatMap((o) => o.ok ? [] : [o.error]);
  if (failures.length === 0) return options.package ? packageProject(result.project, result.outDir, options, io) : EXIT.ok;
  // A run where every failure is the user's input is a usage error; anything else a build failure.
  return failures.every((e) => exitCodeFor(e) === EXIT.usage) ? EXIT.usage : EXIT.failed;
}

export async function imagesBuildCommand(options: { arch?: string; verbose?: boolean; host?: string }, io: IO): Promise<number> {
  const arch = parseArch(options.arch);
  const engine = await connectEngine(options.host ? { address: options.host, origin: '--host' } : resolveEndpoint(undefined, io.env));
  const resolver = new ImageResolver(engine, {
    downloads: path.join(cacheRoot(io.host), 'downloads'),
    progress: (line) => { if (options.verbose) io.stderr.write(`${line}\n`); },
  });
  // One lane per architecture, side by side: an emulated build is mostly one qemu process, so the
  // engine's own-architecture builds fit beside it (on a fresh machine the lanes take as long as
  // the arm64 one alone). A recipe both lanes need (node-ric) is built once: the resolver shares it.
  const lanes = await Promise.allSettled((arch ? [arch] : ARCH_NAMES).map(async (archName) => {
    for (const name of localRecipeNames()) {
      const ref = (await resolver.resolve({ kind: 'recipe', recipe: name, origin: 'local' }, architecture(archName))).ref;
      io.stderr.write(`${name} ${archName}: ${ref}\n`);
    }
  }));
  const failed = lanes.find((lane) => lane.status === 'rejected');
  if (failed) throw failed.reason;
  return EXIT.ok;
}

/** The engines `clean --volumes` empties: every one the project's config names, else the default. */
async function engineEndpoints(configFile: string | undefined, io: IO) {
  const config = await loadProject({ cwd: io.cwd, configFile, host: io.host }).then((p) => p.config, (error: unknown) => {
    if (!configFile && error instanceof ConfigError && error.code === 'CONFIG_NOT_FOUND') return undefined;
    throw error;
  });
  if (!config) return [resolveEndpoint(undefined, io.env)];
  const engines = new Engines(config.docker, io.env, { downloads: path.join(cacheRoot(io.host), 'downloads') });
  const all = ARCH_NAMES.map((arch) => engines.endpoint(arch));
  return all.filter((e, i) => all.findIndex((o) => o.address === e.address) === i);
}

export async function cleanCommand(options: { volumes?: boolean; config?: string }, io: IO): Promise<number> {
  const cache = new DependencyCache(cacheRoot(io.host));
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
