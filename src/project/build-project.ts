// A whole build: plan the project, take the output directory's lock, decide every task against
// the previous manifest, run the plans on the engines, and sweep up any container left behind.
import { randomBytes } from 'node:crypto';
import { removeAbandonedContainers, removeRunContainers } from '../docker/container.js';
import { InterruptedError } from '../errors.js';
import { liveServices } from '../executor/live.js';
import { runPlans, type RunResult, type TaskOutcome } from '../executor/run.js';
import { lockOutDir } from './lock.js';
import { decideProject, planProject, previousRecords, type ProjectOptions, type ProjectPlan } from './plan-project.js';
import { readManifest } from '../package/manifest.js';
import type { Project } from '../template/project.js';
import { writeBuiltTemplate } from '../template/output.js';

export interface BuildOptions extends ProjectOptions {
  readonly noCache: boolean;
  /** Tasks at once; default the config's `concurrency`, else the number of CPUs. */
  readonly concurrency?: number;
  readonly verbose: boolean;
  readonly progress: NodeJS.WritableStream;
  readonly plain: boolean;
  readonly signal: AbortSignal;
  /** Told once the project is planned, before anything is built (its warnings are said then). */
  readonly onPlanned?: (project: ProjectPlan) => void;
  /** Told when another build holds the output directory's lock. */
  readonly onWait?: (holder: { pid: number; started: string }) => void;
}

function parseMemory(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const match = /^(\d+(?:\.\d+)?)([kmg]?)$/i.exec(value)!;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(match[1]) * unit);
}

export interface BuildResult extends RunResult {
  readonly outDir: string;
  readonly project: Project;
  /** A build from a template writes <outDir>/template.yaml pointing at the zips (or says which are missing). */
  readonly builtTemplate?: { readonly file?: string; readonly missing: readonly string[] };
}

export async function buildProject(options: BuildOptions): Promise<BuildResult> {
  const project = await planProject({
    ...options,
    engines: { ...options.engines, onConnect: async (e) => { await removeAbandonedContainers(e).catch(() => 0); } },
  });
  options.onPlanned?.(project);
  const runId = randomBytes(6).toString('hex');
  const lock = await lockOutDir(project.outDir, { signal: options.signal, onWait: options.onWait });
  let result: RunResult;
  try {
    const previous = await previousRecords(project.outDir);
    const decided = await decideProject(project, { noCache: options.noCache, previous });
    const runnable = decided.flatMap((d) => 'decision' in d ? [d] : []);
    const ran = await runPlans(runnable, liveServices({
      engines: project.engines, host: options.host, cache: project.cache, certificates: project.config.certificates,
      memoryBytes: parseMemory(project.config.docker.memory), runId, signal: options.signal, previous,
      registries: project.registries, blobs: project.blobs,
    }), {
      concurrency: options.concurrency ?? project.config.concurrency ?? options.host.cpus,
      verbose: options.verbose, progress: options.progress, plain: options.plain, outDir: project.outDir,
    });
    // A task whose engine did not answer fails with that engine's error, in plan order.
    const outcomes = decided.map((d): TaskOutcome => 'problem' in d ? { plan: d.plan, ok: false, error: d.problem } : ran.outcomes.find((o) => o.plan.id === d.plan.id)!);
    result = { outcomes, ...(ran.manifest ? { manifest: ran.manifest } : {}) };
  } finally {
    await lock.release();
  }
  // Containers are removed as each task ends; this sweeps any a dying engine call left behind.
  await Promise.all((await project.engines.connected()).map((e) => removeRunContainers(e, runId).catch(() => 0)));
  if (options.signal.aborted) throw new InterruptedError(options.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
  const template = project.project.template;
  const builtTemplate = template && result.outcomes.every((o) => o.ok)
    ? await writeBuiltTemplate(template, (await readManifest(project.outDir))?.artifacts ?? [], project.outDir) : undefined;
  return { ...result, outDir: project.outDir, project: project.project, ...(builtTemplate ? { builtTemplate } : {}) };
}
