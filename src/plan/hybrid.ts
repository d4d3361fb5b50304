// The hybrid of a cross compile, pure: which of its parts a failure belongs to (the line a failed
// build of it printed, or a refused file it installed), and the plan that builds just those parts
// in a container of the target before the cross install, which takes their output as it is.
import { hashValue } from '../cache/hash.js';
import type { HybridTemplate, TaskPlan } from './types.js';

function list(names: readonly string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0] ?? '';
}

/**
 * The parts whose failed build a log tail shows (the install stops at the first, so usually one),
 * and the build's own last words before it (the line above lambda-pack's own lines).
 */
export function partsOfFailure(template: HybridTemplate, logTail: string): { parts: string[]; cause?: string } {
  const lines = logTail.split('\n').map((line) => line.trim()).filter(Boolean);
  const failed = template.parts.filter((p) => lines.includes(p.failure));
  const first = failed.length > 0 ? lines.indexOf(failed[0]!.failure) : -1;
  const cause = lines.slice(0, Math.max(first, 0)).reverse().find((line) => !line.startsWith('lambda-pack:'));
  return { parts: failed.map((p) => p.name), ...(cause ? { cause } : {}) };
}

/** A refused finding: where in the zip, and the words (a loader's message may name the file it could not load). */
export interface Refused { readonly path: string; readonly message: string }

/** Compiled files: what a cross compile gets wrong, and what a loader names. */
const COMPILED = /\.so(?:\.[\d.]+)?$/;

/**
 * The parts a proof's refusal belongs to: each refused finding traced through the installed files'
 * owners (path relative to the install → distribution) to a part, by its path or a compiled file
 * its message names. Empty unless every refusal is traced: one that is not (the handler's own
 * code, a wheel that came prebuilt) is not the parts' doing.
 */
export function partsOfRefusal(template: HybridTemplate, refused: readonly Refused[], owners: ReadonlyMap<string, string>, prefix: string): string[] {
  const inZip = (file: string) => (prefix ? `${prefix}/${file}` : file);
  const compiled = [...owners].filter(([file]) => COMPILED.test(file));
  const found = new Set<string>();
  for (const finding of refused) {
    const own = finding.path.startsWith(inZip('')) ? owners.get(finding.path.slice(inZip('').length)) : undefined;
    const named = compiled.filter(([file]) => new RegExp(`(^|[\\s/'"(:])${inZip(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(finding.message)).map(([, owner]) => owner);
    const parts = template.parts.filter((p) => p.distribution === own || named.includes(p.distribution));
    if (parts.length === 0) return [];
    for (const part of parts) found.add(part.name);
  }
  return template.parts.filter((p) => found.has(p.name)).map((p) => p.name);
}

/** The plan that builds `parts` alone on the target, then cross-installs everything with their output offered; `why` they could not cross. */
export function hybridPlan(plan: TaskPlan, parts: readonly string[], why: string): TaskPlan {
  const template = plan.hybrid!;
  const chosen = template.parts.filter((p) => parts.includes(p.name));
  const names = chosen.map((p) => p.name);
  const install = { ...template.install, steps: [...template.install.steps, ...chosen.flatMap((p) => p.steps)] };
  const { hybrid: _, ...cross } = plan;
  const dependency = plan.keys.dependency === null ? null : hashValue({ cross: plan.keys.dependency, prebuild: { image: install.image, steps: install.steps, env: install.env, output: install.output } });
  return {
    ...cross,
    strategy: { ...plan.strategy, reason: `${list(names)} built alone on ${plan.arch} (emulated: ${why}); then ${plan.strategy.reason}` },
    prebuild: { parts: names, why, buildArch: plan.arch, install },
    keys: { ...plan.keys, dependency },
  };
}

/** A hybrid's first phase as a plan of its own (the target's image and architecture, its steps): what resolves its image and runs its install. */
export function prebuildPlan(plan: TaskPlan): TaskPlan {
  const { prebuild, fallback: _, ...rest } = plan;
  return { ...rest, install: prebuild!.install, strategy: { kind: 'emulated', reason: `builds ${list(prebuild!.parts)} alone on ${plan.arch}`, buildArch: prebuild!.buildArch } };
}
