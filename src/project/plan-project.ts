// From the command line to task plans: load the config, list the tasks, ask the engines they
// need what they run on (once, in parallel), place the tasks, read each artifact once, and plan
// each task. Then, separately, decide per task what a build would reuse.
import path from 'node:path';
import { cacheRoot } from '../cache/location.js';
import { ExternalError } from '../errors.js';
import { DependencyCache } from '../cache/store.js';
import { loadProject, type Project } from '../template/project.js';
import type { ProjectConfig } from '../config/types.js';
import { Engines, type EnginesOptions } from '../docker/engines.js';
import type { HostFacts } from '../host.js';
import { readManifest, type ArtifactRecord } from '../package/manifest.js';
import type { Decision } from '../plan/action.js';
import { enginesNeeded, placeTasks, plan, type EngineFacts } from '../plan/plan.js';
import { hybridPlan } from '../plan/hybrid.js';
import { taskPlan, type ArtifactAnalysis } from '../plan/task-plan.js';
import type { Selection, TaskPlan } from '../plan/types.js';
import { analyzeArtifact } from './analyze.js';
import { BlobStore } from '../image/blob-store.js';
import { resolveBaseImage } from '../image/base.js';
import { Registries } from '../image/registry/client.js';
import { trustFrom } from '../image/registry/http.js';
import { architecture } from '../runtimes.js';
import { decideTask } from './facts.js';

export interface ProjectOptions {
  readonly cwd: string;
  readonly configFile?: string;
  /** `--template`: a SAM/CloudFormation template to build (else found as sam build finds it, without a config). */
  readonly templateFile?: string;
  readonly selection: Selection;
  readonly host: HostFacts;
  /** Engine hooks: the sweep of abandoned containers on connect, image progress lines. */
  readonly engines?: Omit<EnginesOptions, 'downloads'>;
}

export interface ProjectPlan {
  readonly config: ProjectConfig;
  /** The loaded project: its template (when it came from one) and what the template holds that is not built. */
  readonly project: Project;
  readonly warnings: Project['warnings'];
  readonly engines: Engines;
  readonly outDir: string;
  readonly cache: DependencyCache;
  readonly plans: readonly TaskPlan[];
  /** Registries (image bases and pushes), trusting the config's certificates, and the image blob store. */
  readonly registries: Registries;
  readonly blobs: BlobStore;
}

/** What a build would do with a task, or why that cannot be known now (its engine is away). */
export type TaskDecision = { readonly plan: TaskPlan; readonly decision: Decision } | { readonly plan: TaskPlan; readonly problem: unknown };

export async function planProject(options: ProjectOptions): Promise<ProjectPlan> {
  const { host } = options;
  const project = await loadProject({ cwd: options.cwd, configFile: options.configFile, templateFile: options.templateFile, host });
  const { config } = project;
  const tasks = plan(config, options.selection);
  const cache = new DependencyCache(cacheRoot(host));
  const engines = new Engines(config.docker, host.env, { ...options.engines, downloads: path.join(cache.root, 'downloads') });
  // An engine that does not answer fails only its own tasks later, with the reason.
  const answers = await engines.probe(enginesNeeded(tasks));
  const facts: EngineFacts = Object.fromEntries([...answers].map(([arch, answer]) =>
    [arch, { name: engines.describe(arch), ...(answer instanceof Error || !answer.arch ? {} : { arch: answer.arch.name }) }]));
  const placed = placeTasks(config, tasks, facts, host.arch, options.selection.strategy, { loadCheck: options.selection.loadCheck ?? true, push: options.selection.push ?? false });
  const analyses = new Map<string, ArtifactAnalysis>();
  for (const task of placed) {
    if (!analyses.has(task.artifact.name)) analyses.set(task.artifact.name, await analyzeArtifact(task.artifact, host));
  }
  return {
    config, project, warnings: project.warnings, engines, cache,
    registries: new Registries({ trust: trustFrom(config.certificates, host.env) }),
    blobs: new BlobStore(path.join(cache.root, 'images')),
    outDir: options.selection.outDir ?? config.outDir,
    plans: placed.map((task) => taskPlan(task, analyses.get(task.artifact.name)!, host)),
  };
}

export async function previousRecords(outDir: string): Promise<Map<string, ArtifactRecord>> {
  return new Map(((await readManifest(outDir))?.artifacts ?? []).map((r) => [`${r.name}-${r.arch}`, r]));
}

/** Decides every task: reuse, repackage or rebuild, and why (an engine that is away: the problem). */
export async function decideProject(project: ProjectPlan, options: { readonly noCache: boolean; readonly previous: ReadonlyMap<string, ArtifactRecord> }): Promise<TaskDecision[]> {
  const sources = {
    images: (arch: Parameters<Engines['images']>[0]) => project.engines.images(arch), cache: project.cache, previous: options.previous, noCache: options.noCache,
    baseImage: async (taskPlan: TaskPlan) => {
      const base = taskPlan.output.image!.base;
      const arch = architecture(taskPlan.arch);
      if (base.kind === 'recipe') return (await (await project.engines.images(taskPlan.arch)).peek(base, arch))?.id;
      return (await resolveBaseImage(project.registries, base.ref, arch)).digest;
    },
  };
  const decided: TaskDecision[] = [];
  for (const taskPlan of project.plans) {
    try {
      // A cross compile its proof refused last time, unchanged since: its emulated build stands.
      const previous = options.previous.get(taskPlan.id);
      // One whose parts were built emulated alone last time: that hybrid stands, with its reason.
      const last = previous?.hybrid;
      const hybrid = taskPlan.hybrid && last?.emulated.every((p) => taskPlan.hybrid!.parts.some((part) => part.name === p))
        ? hybridPlan(taskPlan, last.emulated, last.why) : undefined;
      if (hybrid) {
        const decision = await decideTask(hybrid, sources);
        if (decision.action !== 'rebuild') {
          decided.push({ plan: hybrid, decision: { ...decision, reason: `${decision.reason}; ${last!.emulated.join(', ')} emulated alone, as last time (${last!.why})` } });
          continue;
        }
      }
      const refused = taskPlan.fallback ? previous?.fallback : undefined;
      if (refused && taskPlan.fallback) {
        const decision = await decideTask(taskPlan.fallback, sources);
        if (decision.action !== 'rebuild') {
          decided.push({ plan: taskPlan.fallback, decision: { ...decision, reason: `${decision.reason}; ${taskPlan.fallback.strategy.kind === 'cross' ? 'on the cross toolchain image' : 'emulated'}, as last time (${refused})`, fallback: refused } });
          continue;
        }
      }
      decided.push({ plan: taskPlan, decision: await decideTask(taskPlan, sources) });
    } catch (problem) {
      if (!(problem instanceof ExternalError)) throw problem;
      decided.push({ plan: taskPlan, problem });
    }
  }
  return decided;
}
