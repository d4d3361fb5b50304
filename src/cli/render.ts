// Human and JSON renderings of plans and build results. Pure: strings in, strings out.
import path from 'node:path';
import { ExternalError, LambdaPackError } from '../errors.js';
import type { RunResult } from '../build/run.js';
import type { Plan } from '../plan/types.js';
import type { TaskStatus } from '../build/status.js';

function table(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function planJson(plan: Plan, statuses: readonly TaskStatus[] = []): object {
  return {
    outDir: plan.outDir,
    tasks: plan.tasks.map((t) => ({
      ...statusOf(statuses, t.id),
      id: t.id, name: t.artifact.name, kind: t.artifact.kind, runtime: t.artifact.runtime.id,
      runtimes: t.artifact.runtimes.map((r) => r.id), arch: t.arch.name, platform: t.arch.dockerPlatform,
      builder: t.artifact.builder, source: t.artifact.source,
      image: t.image === null ? null : t.image.kind === 'recipe' ? { recipe: t.image.recipe, origin: t.image.origin } : { ref: t.image.ref, origin: t.image.origin },
      output: t.output,
      engine: t.engine ?? null, engineArch: t.image === null ? null : t.host.name,
    })),
  };
}

function statusOf(statuses: readonly TaskStatus[], id: string): { action?: string; reason?: string; strategy?: string; strategyReason?: string } {
  const found = statuses.find((s) => s.id === id);
  return found ? { action: found.action, reason: found.reason, strategy: found.strategy, strategyReason: found.strategyReason } : {};
}

export function planHuman(plan: Plan, cwd: string, statuses: readonly TaskStatus[] = []): string {
  const engines = new Set(plan.tasks.map((t) => t.engine));
  const showEngine = engines.size > 1;
  const rows = [['TASK', 'KIND', 'RUNTIME', 'ARCH', 'BUILDER', 'IMAGE', 'OUTPUT', ...(showEngine ? ['ENGINE'] : []), ...(statuses.length ? ['STRATEGY', 'ACTION', 'WHY'] : [])]];
  for (const t of plan.tasks) {
    const image = t.image === null ? '(none: packaged as is)' : t.image.kind === 'recipe' ? `${t.image.origin} recipe ${t.image.recipe}` : t.image.ref;
    const status = statusOf(statuses, t.id);
    rows.push([t.id, t.artifact.kind, t.artifact.runtimes.map((r) => r.id).join(','), t.arch.name, t.artifact.builder, image, path.relative(cwd, t.output) || t.output,
      ...(showEngine ? [t.image === null ? '-' : t.engine ?? '?'] : []),
      ...(statuses.length ? [status.strategy ?? '', status.action ?? '', status.reason ?? ''] : [])]);
  }
  const strategies = statuses.filter((s) => s.strategy !== 'native').map((s) => `  ${s.id}: ${s.strategy} — ${s.strategyReason}`);
  const body = table(rows.filter((r) => r.length > 0));
  const why = strategies.length > 0 ? `\nnot native:\n${strategies.join('\n')}` : '';
  const only = [...engines][0];
  const engineLine = !showEngine && only ? `\nengine: ${only}` : '';
  return `${body}${why}${engineLine}\n${plan.tasks.length} task(s); output in ${plan.outDir}`;
}

function failureOf(error: unknown): { code: string; message: string; logTail?: string; exitCode?: number } {
  if (error instanceof ExternalError) return { code: error.code, message: error.message, logTail: error.details.logTail, exitCode: error.details.exitCode };
  if (error instanceof LambdaPackError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

export function buildJson(result: RunResult): object {
  return {
    ok: result.outcomes.every((o) => o.ok),
    manifest: result.manifest ?? null,
    artifacts: result.outcomes.flatMap((o) => o.ok ? [o.record] : []),
    failures: result.outcomes.flatMap((o) => o.ok ? [] : [{ task: o.task.id, ...failureOf(o.error) }]),
  };
}

export function buildHuman(result: RunResult, outDir: string): string {
  const lines: string[] = [];
  for (const o of result.outcomes) {
    if (o.ok) {
      const r = o.record;
      lines.push(`ok    ${o.task.id}: ${path.join(outDir, r.path)} (${r.zippedBytes} bytes zipped, ${r.unzippedBytes} unzipped, sha256 ${r.sha256.slice(0, 16)}…)`);
    } else {
      const f = failureOf(o.error);
      lines.push(`FAIL  ${o.task.id}: ${f.message}`);
      if (f.logTail) lines.push(f.logTail.split('\n').map((l) => `      | ${l}`).join('\n'));
    }
  }
  const failed = result.outcomes.filter((o) => !o.ok).length;
  if (result.manifest) lines.push(`manifest: ${result.manifest}`);
  lines.push(failed === 0 ? `${result.outcomes.length} artifact(s) built.` : `${failed} of ${result.outcomes.length} task(s) failed; earlier zips of failed tasks were left as they were.`);
  return lines.join('\n');
}
