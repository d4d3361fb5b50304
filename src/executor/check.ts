// The last steps of every task: verify the new zip (against each compatible runtime, with the
// function's layers), then commit it in place of the previous one — or, on an error finding,
// remove it and fail, leaving the previous zip as it was.
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ExternalError } from '../errors.js';
import type { TaskPlan } from '../plan/types.js';
import { architecture, runtime } from '../runtimes.js';
import { verifyZip, type Finding } from '../verify/index.js';

function key(f: Finding): string {
  return `${f.code}\0${f.path}\0${f.message}`;
}

/** Findings of `zip` for every runtime the artifact claims, without repeats. */
export async function findingsFor(plan: TaskPlan, zip: string, layerZips: readonly string[]): Promise<Finding[]> {
  const seen = new Map<string, Finding>();
  for (const id of plan.verify.runtimes) {
    const result = await verifyZip(zip, {
      runtime: runtime(id), arch: architecture(plan.arch), layer: plan.verify.layer, handler: plan.verify.handler, layers: [...layerZips],
      allowSecrets: [...plan.verify.allowSecrets],
    });
    for (const f of result.findings) if (!seen.has(key(f))) seen.set(key(f), f);
  }
  return [...seen.values()];
}

/** Moves a verified zip into place, or removes it and fails with its error findings. */
export async function commitOrReject(plan: TaskPlan, staged: string, findings: readonly Finding[]): Promise<void> {
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length === 0) {
    await rename(staged, plan.output.path);
    return;
  }
  await rm(staged, { force: true });
  const shown = errors.slice(0, 8).map((f) => `  ${f.code} ${f.path || '(whole zip)'}: ${f.message}\n    fix: ${f.fix}`);
  const more = errors.length > shown.length ? [`  … and ${errors.length - shown.length} more (lambda-pack build --json lists them all)`] : [];
  throw new ExternalError('VERIFY_FAILED',
    `${plan.id}: verification found ${errors.length} error${errors.length === 1 ? '' : 's'} for ${plan.runtimes.join(', ')} (${plan.arch}), so the zip was not written (any earlier ${path.basename(plan.output.path)} was left as it was):\n${[...shown, ...more].join('\n')}`,
    { fix: errors[0]!.fix });
}
