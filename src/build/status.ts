// For `lambda-pack plan`: what a build would do with each task (reuse, repackage, rebuild) and
// why, found the way a build finds it but without building, pulling or starting containers.
import type { DependencyCache } from '../cache/store.js';
import type { ImageResolver } from '../docker/images.js';
import type { ArtifactRecord } from '../package/manifest.js';
import type { Plan, StrategyKind } from '../plan/types.js';
import type { ArchName } from '../runtimes.js';
import { decide, type Action } from './decide.js';
import { prepareTask } from './prepare.js';

export interface TaskStatus {
  readonly id: string;
  readonly action: Action | 'unknown';
  readonly reason: string;
  readonly strategy: StrategyKind;
  readonly strategyReason: string;
}

export async function planStatus(plan: Plan, ctx: {
  cache: DependencyCache; previous: ReadonlyMap<string, ArtifactRecord>; hostEnv: NodeJS.ProcessEnv; noCache: boolean;
  images: (arch: ArchName) => Promise<ImageResolver>;
}): Promise<TaskStatus[]> {
  const statuses: TaskStatus[] = [];
  for (const task of plan.tasks) {
    const prepared = await prepareTask(task, ctx.hostEnv);
    let found: ImageResolver | undefined;
    if (prepared.builder.needsContainer) {
      const r = await ctx.images(task.arch.name).catch((error: unknown) => error as Error);
      if (r instanceof Error) { statuses.push({ id: task.id, action: 'unknown', reason: `cannot check its image: ${r.message.split('. ')[0]}`, strategy: prepared.strategy.kind, strategyReason: prepared.strategy.reason }); continue; }
      found = r;
    }
    const decision = await decide(prepared, { images: found, cache: ctx.cache, previous: ctx.previous.get(task.id), output: task.output, noCache: ctx.noCache });
    statuses.push({ id: task.id, action: decision.action, reason: decision.reason, strategy: prepared.strategy.kind, strategyReason: prepared.strategy.reason });
  }
  return statuses;
}
