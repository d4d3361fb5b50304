// Human and JSON renderings of plans and build results. Pure: strings in, strings out.
import path from 'node:path';
import { sha256 } from '../cache/hash.js';
import { ExternalError, LambdaPackError } from '../errors.js';
import type { RunResult } from '../executor/run.js';
import type { Action } from '../plan/action.js';
import type { TaskPlan } from '../plan/types.js';
import type { TaskDecision } from '../project/plan-project.js';

function table(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** The decision of a task in words: the action and why, or why it cannot be known now. */
function decisionOf(decided: TaskDecision): { action: Action | 'unknown'; reason: string } {
  if ('decision' in decided) return { action: decided.decision.action, reason: decided.decision.reason };
  const message = decided.problem instanceof Error ? decided.problem.message : String(decided.problem);
  return { action: 'unknown', reason: `cannot check its image: ${message.split('. ')[0]}` };
}

/** An install as printed: generated inputs that may hold credentials show their hash, never their text. */
function printableInstall<T extends TaskPlan['install']>(install: T): T {
  if (!install?.generated.some((g) => g.sensitive)) return install;
  return { ...install, generated: install.generated.map((g) => (g.sensitive ? { ...g, content: `(may hold registry credentials: sha256 ${sha256(g.content)})` } : g)) };
}

/**
 * A plan as printed (`plan --json`: every task's plan exactly as `build` would execute it, with its
 * decision), its install's secrets hidden, in the plan, its emulated fallback and its hybrid alike.
 */
function printable(plan: TaskPlan): TaskPlan {
  return {
    ...plan, install: printableInstall(plan.install),
    ...(plan.fallback ? { fallback: printable(plan.fallback) } : {}),
    ...(plan.hybrid ? { hybrid: { ...plan.hybrid, install: printableInstall(plan.hybrid.install) } } : {}),
    ...(plan.prebuild ? { prebuild: { ...plan.prebuild, install: printableInstall(plan.prebuild.install) } } : {}),
  };
}

export function planJson(outDir: string, decided: readonly TaskDecision[]): object {
  return { outDir, tasks: decided.map((d) => ({ ...printable(d.plan), ...decisionOf(d) })) };
}

function imageOf(plan: TaskPlan): string {
  const image = plan.install?.image;
  if (!image) return '(none: packaged as is)';
  return image.kind === 'recipe' ? `${image.origin} recipe ${image.recipe}` : image.ref;
}

export function planHuman(outDir: string, decided: readonly TaskDecision[], cwd: string): string {
  const plans = decided.map((d) => d.plan);
  const engines = new Set(plans.filter((p) => p.install).map((p) => p.engine.name));
  const showEngine = engines.size > 1;
  const rows = [['TASK', 'KIND', 'RUNTIME', 'ARCH', 'BUILDER', 'IMAGE', 'OUTPUT', ...(showEngine ? ['ENGINE'] : []), 'STRATEGY', 'ACTION', 'WHY']];
  for (const d of decided) {
    const p = d.plan;
    const { action, reason } = decisionOf(d);
    rows.push([p.id, p.kind, p.runtimes.join(','), p.arch, p.builder, imageOf(p), path.relative(cwd, p.output.path) || p.output.path,
      ...(showEngine ? [p.install ? p.engine.name ?? '?' : '-'] : []), p.strategy.kind, action, reason]);
  }
  const strategies = plans.filter((p) => p.strategy.kind !== 'native').map((p) => `  ${p.id}: ${p.strategy.kind} — ${p.strategy.reason}`);
  const why = strategies.length > 0 ? `\nnot native:\n${strategies.join('\n')}` : '';
  const only = [...engines][0];
  const engineLine = !showEngine && only ? `\nengine: ${only}` : '';
  return `${table(rows)}${why}${engineLine}\n${plans.length} task(s); output in ${outDir}`;
}

function failureOf(error: unknown): { code: string; message: string; step?: string; logTail?: string; exitCode?: number } {
  const step = error instanceof LambdaPackError && error.step ? { step: error.step } : {};
  if (error instanceof ExternalError) return { code: error.code, message: error.message, ...step, logTail: error.details.logTail, exitCode: error.details.exitCode };
  if (error instanceof LambdaPackError) return { code: error.code, message: error.message, ...step };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

export function buildJson(result: RunResult): object {
  return {
    ok: result.outcomes.every((o) => o.ok),
    manifest: result.manifest ?? null,
    artifacts: result.outcomes.flatMap((o) => o.ok ? [o.record] : []),
    failures: result.outcomes.flatMap((o) => o.ok ? [] : [{ task: o.plan.id, ...failureOf(o.error) }]),
  };
}

export function buildHuman(result: RunResult, outDir: string): string {
  const lines: string[] = [];
  for (const o of result.outcomes) {
    if (o.ok) {
      const r = o.record;
      lines.push(`ok    ${o.plan.id}: ${path.join(outDir, r.path)} (${r.zippedBytes} bytes zipped, ${r.unzippedBytes} unzipped, sha256 ${r.sha256.slice(0, 16)}…)`);
      const image = r.containerImage;
      if (image) lines.push(`      image ${image.repository}:${image.tag} ${image.digest}${image.pushed ? ` pushed: ${image.uri}` : ' (loaded into the engine)'}`);
      if (r.hybrid) lines.push(`      built emulated alone: ${r.hybrid.emulated.join(', ')} (${r.hybrid.why}); the rest cross`);
      if (r.fallback) lines.push(`      built ${r.strategy === 'cross' ? 'on the cross toolchain image' : 'emulated'}: ${r.fallback}`);
    } else {
      const f = failureOf(o.error);
      lines.push(`FAIL  ${o.plan.id}: ${f.step ? `[${f.step}] ` : ''}${f.message}`);
      if (f.logTail) lines.push(f.logTail.split('\n').map((l) => `      | ${l}`).join('\n'));
    }
  }
  const failed = result.outcomes.filter((o) => !o.ok).length;
  if (result.manifest) lines.push(`manifest: ${result.manifest}`);
  lines.push(failed === 0 ? `${result.outcomes.length} artifact(s) built.` : `${failed} of ${result.outcomes.length} task(s) failed; earlier zips of failed tasks were left as they were.`);
  return lines.join('\n');
}
