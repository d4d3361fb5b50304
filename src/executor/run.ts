// Runs a build's task plans concurrently (listr2 shows progress on stderr), keeps going when one
// fails, lets functions wait for their layers, writes the manifest for the artifacts that were
// built, and reports every outcome.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Listr, ListrLogger, ProcessOutput } from 'listr2';
import { InterruptedError, LambdaPackError } from '../errors.js';
import { writeManifest, type ArtifactRecord } from '../package/manifest.js';
import type { Decision } from '../plan/action.js';
import type { TaskPlan } from '../plan/types.js';
import type { ExecutorServices } from './services.js';
import { runProvenTask } from './task.js';
import { outputError } from './output-error.js';

export type TaskOutcome =
  | { readonly plan: TaskPlan; readonly ok: true; readonly record: ArtifactRecord }
  | { readonly plan: TaskPlan; readonly ok: false; readonly error: unknown };

export interface RunResult {
  readonly outcomes: readonly TaskOutcome[];
  readonly manifest?: string;
}

export interface RunOptions {
  readonly concurrency: number;
  readonly verbose: boolean;
  /** Where progress goes (stderr); never stdout, which --json keeps for its document. */
  readonly progress: NodeJS.WritableStream;
  /** Force the line-per-event renderer (not a TTY, CI, make). */
  readonly plain: boolean;
  readonly outDir: string;
}

export interface PlannedTask { readonly plan: TaskPlan; readonly decision: Decision }

/** One settled-promise per task, so functions can wait for their layers of the same arch. */
function completions(tasks: readonly PlannedTask[]) {
  const settled = new Map<string, { promise: Promise<void>; done: () => void }>();
  for (const { plan } of tasks) {
    let done!: () => void;
    const promise = new Promise<void>((resolve) => { done = resolve; });
    settled.set(plan.id, { promise, done });
  }
  return settled;
}

/** The zips of a function's layers for its architecture: built in this run, or left by an earlier one. */
function layerZipsOf(plan: TaskPlan, settled: ReturnType<typeof completions>): () => Promise<string[]> {
  return async () => {
    await Promise.all(plan.verify.layers.map((id) => settled.get(id)?.promise));
    const zips = plan.verify.layers.map((id) => path.join(path.dirname(plan.output.path), `${id}.zip`));
    return zips.filter((zip) => existsSync(zip));
  };
}

export async function runPlans(tasks: readonly PlannedTask[], services: ExecutorServices, options: RunOptions): Promise<RunResult> {
  const outcomes = new Map<string, TaskOutcome>();
  const settled = completions(tasks);
  const logger = new ListrLogger({ processOutput: new ProcessOutput(options.progress as NodeJS.WriteStream, options.progress as NodeJS.WriteStream) });
  // Layers start first: a function that waits for its layers never holds a slot they need.
  const order = [...tasks.filter((t) => t.plan.kind === 'layer'), ...tasks.filter((t) => t.plan.kind !== 'layer')];
  const list = new Listr(order.map(({ plan, decision }) => ({
    title: plan.id,
    task: async (_: unknown, listrTask: { output: string; title: string }) => {
      try {
        const record = await runProvenTask(plan, decision, services, {
          // Plain output interleaves tasks: say which one each line is about.
          status: (text) => { listrTask.output = options.plain ? `${plan.id}: ${text}` : text; },
          log: (line) => { if (options.verbose) listrTask.output = options.plain ? `${plan.id} | ${line}` : line; },
        }, layerZipsOf(plan, settled));
        outcomes.set(plan.id, { plan, ok: true, record });
        listrTask.title = `${plan.id}  ${(record.zippedBytes / 1024).toFixed(0)} KiB  ${(record.durationMs / 1000).toFixed(1)} s`;
      } catch (error) {
        outcomes.set(plan.id, { plan, ok: false, error });
        const step = error instanceof LambdaPackError && error.step ? ` [${error.step}]` : '';
        throw new Error(`${error instanceof LambdaPackError ? error.message.split('\n')[0]! : String(error)}${step}`);
      } finally {
        settled.get(plan.id)!.done();
      }
    },
    rendererOptions: { persistentOutput: options.verbose, outputBar: options.verbose ? 12 : 1 },
  })), {
    concurrent: options.concurrency,
    exitOnError: false,
    renderer: options.plain ? 'simple' : 'default',
    fallbackRenderer: 'simple',
    rendererOptions: { logger, collapseErrors: false },
    fallbackRendererOptions: { logger },
    collectErrors: false,
    // Signals belong to the CLI entry, which aborts builds and removes containers first.
    registerSignalListeners: false,
  });
  await list.run().catch(() => {});
  const interrupted = () => new InterruptedError(services.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
  const ordered = tasks.map(({ plan }) => outcomes.get(plan.id) ?? { plan, ok: false as const, error: services.signal.aborted ? interrupted() : new Error('task did not run') });
  const records = ordered.flatMap((o) => o.ok ? [o.record] : []);
  const manifest = records.length > 0
    ? await writeManifest(options.outDir, records).catch((error: unknown) => { throw outputError(error, path.join(options.outDir, 'manifest.json')); })
    : undefined;
  return { outcomes: ordered, manifest };
}
