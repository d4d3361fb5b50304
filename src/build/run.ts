// Runs a plan's tasks concurrently (listr2 shows progress on stderr), keeps going when one
// fails, writes the manifest for the artifacts that were built, and reports every outcome.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Listr, ListrLogger, ProcessOutput } from 'listr2';
import { InterruptedError, LambdaPackError } from '../errors.js';
import { writeManifest, type ArtifactRecord } from '../package/manifest.js';
import type { Plan, Task } from '../plan/types.js';
import type { BuildServices } from './services.js';
import { buildTask } from './task.js';
import { outputError } from './output-error.js';

export type TaskOutcome =
  | { readonly task: Task; readonly ok: true; readonly record: ArtifactRecord }
  | { readonly task: Task; readonly ok: false; readonly error: unknown };

export interface RunResult {
  readonly outcomes: readonly TaskOutcome[];
  readonly manifest?: string;
}

export interface RunOptions {
  readonly concurrency: number;
  readonly verbose: boolean;
  /** Where progress goes (stderr); never stdout, which --json keeps for its document. */
  readonly progress: NodeJS.WriteStream;
  /** Force the line-per-event renderer (not a TTY, CI, make). */
  readonly plain: boolean;
}

/** One settled-promise per task, so functions can wait for their layers of the same arch. */
function completions(plan: Plan) {
  const settled = new Map<string, { promise: Promise<void>; done: () => void }>();
  for (const task of plan.tasks) {
    let done!: () => void;
    const promise = new Promise<void>((resolve) => { done = resolve; });
    settled.set(task.id, { promise, done });
  }
  return settled;
}

/** The zips of a function's layers for its architecture: built in this run, or left by an earlier one. */
function layerZipsOf(task: Task, plan: Plan, settled: ReturnType<typeof completions>): () => Promise<string[]> {
  return async () => {
    const ids = task.artifact.layers.map((name) => `${name}-${task.arch.name}`);
    await Promise.all(ids.map((id) => settled.get(id)?.promise));
    const zips = ids.map((id) => path.join(plan.outDir, `${id}.zip`));
    return zips.filter((zip) => existsSync(zip));
  };
}

export async function runPlan(plan: Plan, services: BuildServices, options: RunOptions): Promise<RunResult> {
  const outcomes = new Map<string, TaskOutcome>();
  const settled = completions(plan);
  const logger = new ListrLogger({ processOutput: new ProcessOutput(options.progress, options.progress) });
  // Layers start first: a function that waits for its layers never holds a slot they need.
  const order = [...plan.tasks.filter((t) => t.artifact.kind === 'layer'), ...plan.tasks.filter((t) => t.artifact.kind !== 'layer')];
  const list = new Listr(order.map((task) => ({
    title: task.id,
    task: async (_: unknown, listrTask: { output: string; title: string }) => {
      try {
        const record = await buildTask(task, services, {
          // Plain output interleaves tasks: say which one each line is about.
          status: (text) => { listrTask.output = options.plain ? `${task.id}: ${text}` : text; },
          log: (line) => { if (options.verbose) listrTask.output = options.plain ? `${task.id} | ${line}` : line; },
        }, layerZipsOf(task, plan, settled));
        outcomes.set(task.id, { task, ok: true, record });
        listrTask.title = `${task.id}  ${(record.zippedBytes / 1024).toFixed(0)} KiB  ${(record.durationMs / 1000).toFixed(1)} s`;
      } catch (error) {
        outcomes.set(task.id, { task, ok: false, error });
        throw new Error(error instanceof LambdaPackError ? error.message.split('\n')[0]! : String(error));
      } finally {
        settled.get(task.id)!.done();
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
  const ordered = plan.tasks.map((t) => outcomes.get(t.id) ?? { task: t, ok: false as const, error: services.signal.aborted ? new InterruptedError(services.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT') : new Error('task did not run') });
  const records = ordered.flatMap((o) => o.ok ? [o.record] : []);
  const manifest = records.length > 0
    ? await writeManifest(plan.outDir, records).catch((error: unknown) => { throw outputError(error, path.join(plan.outDir, 'manifest.json')); })
    : undefined;
  return { outcomes: ordered, manifest };
}
