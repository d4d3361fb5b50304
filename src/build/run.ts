// Runs a plan's tasks concurrently (listr2 shows progress on stderr), keeps going when one
// fails, writes the manifest for the artifacts that were built, and reports every outcome.
import { Listr, ListrLogger, ProcessOutput } from 'listr2';
import { InterruptedError, LambdaPackError } from '../errors.js';
import { writeManifest, type ArtifactRecord } from '../package/manifest.js';
import type { Plan, Task } from '../plan/types.js';
import type { BuildServices } from './services.js';
import { buildTask } from './task.js';

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

export async function runPlan(plan: Plan, services: BuildServices, options: RunOptions): Promise<RunResult> {
  const outcomes = new Map<string, TaskOutcome>();
  const logger = new ListrLogger({ processOutput: new ProcessOutput(options.progress, options.progress) });
  const list = new Listr(plan.tasks.map((task) => ({
    title: task.id,
    task: async (_: unknown, listrTask: { output: string; title: string }) => {
      try {
        const record = await buildTask(task, services, {
          // Plain output interleaves tasks: say which one each line is about.
          status: (text) => { listrTask.output = options.plain ? `${task.id}: ${text}` : text; },
          log: (line) => { if (options.verbose) listrTask.output = options.plain ? `${task.id} | ${line}` : line; },
        });
        outcomes.set(task.id, { task, ok: true, record });
        listrTask.title = `${task.id}  ${(record.zippedBytes / 1024).toFixed(0)} KiB  ${(record.durationMs / 1000).toFixed(1)} s`;
      } catch (error) {
        outcomes.set(task.id, { task, ok: false, error });
        throw new Error(error instanceof LambdaPackError ? error.message.split('\n')[0]! : String(error));
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
  const manifest = records.length > 0 ? await writeManifest(plan.outDir, records) : undefined;
  return { outcomes: ordered, manifest };
}
