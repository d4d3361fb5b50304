// The last step of every task: verify the new zip (against each compatible runtime, with the
// function's layers) before it replaces the previous one. Error findings fail the task.
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ExternalError } from '../errors.js';
import type { Task } from '../plan/types.js';
import { verifyZip, type Finding } from '../verify/index.js';

function key(f: Finding): string {
  return `${f.code}\0${f.path}\0${f.message}`;
}

/** Findings of `zip` for every runtime the artifact claims, without repeats. */
export async function findingsFor(task: Task, zip: string, layerZips: readonly string[]): Promise<Finding[]> {
  const { artifact } = task;
  const seen = new Map<string, Finding>();
  for (const runtime of artifact.runtimes) {
    const result = await verifyZip(zip, {
      runtime, arch: task.arch, layer: artifact.kind === 'layer', handler: artifact.handler, layers: [...layerZips],
      allowSecrets: [...artifact.allowSecrets],
    });
    for (const f of result.findings) if (!seen.has(key(f))) seen.set(key(f), f);
  }
  return [...seen.values()];
}

/** Moves a verified zip into place, or removes it and fails with its error findings. */
export async function acceptOrReject(task: Task, staged: string, findings: readonly Finding[]): Promise<void> {
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length === 0) {
    await rename(staged, task.output);
    return;
  }
  await rm(staged, { force: true });
  const shown = errors.slice(0, 8).map((f) => `  ${f.code} ${f.path || '(whole zip)'}: ${f.message}\n    fix: ${f.fix}`);
  const more = errors.length > shown.length ? [`  … and ${errors.length - shown.length} more (lambda-pack build --json lists them all)`] : [];
  throw new ExternalError('VERIFY_FAILED',
    `${task.id}: verification found ${errors.length} error${errors.length === 1 ? '' : 's'} for ${task.artifact.runtimes.map((r) => r.id).join(', ')} (${task.arch.name}), so the zip was not written (any earlier ${path.basename(task.output)} was left as it was):\n${[...shown, ...more].join('\n')}`,
    { fix: errors[0]!.fix });
}
