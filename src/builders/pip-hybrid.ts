// The hybrid of a cross-compiled requirements.txt install: each requirement it compiles from an
// archive or a project directory of the function can instead be built alone in a container of the
// target, with the wheel builder at the paths a whole emulated build gives it, and offered to the
// cross install, which then installs every wheel in one pip install as before (same RECORD,
// INSTALLER, WHEEL as a single install). What names a part in a failure: the wheel builder's line
// for it, and its distribution's installed files (dist-info RECORD).
import type { HybridPart, PlacedTask } from '../plan/types.js';
import { pipCompiling, type PipSourceFacts } from './pip-cross.js';
import { normaliseProject } from './pip-tags.js';
import { emulatedPartStep, PYTHON_PATHS, requirementsBuildSources } from './python/install-steps.js';
import { projectDir } from './python/layout.js';
import { planSteps } from './python/plan-steps.js';
import { CONTAINER, type HybridSpec } from './types.js';

/** The wheel builder names an archive by its file name and a project directory as it was given. */
function failureLine(part: { readonly sdist: string } | { readonly local: string }): string {
  return `lambda-pack: could not build ${'sdist' in part ? part.sdist.split('/').at(-1)! : part.local} into a wheel`;
}

export function pipHybrid(facts: PipSourceFacts, task: PlacedTask): HybridSpec | undefined {
  const requirements = facts.requirements;
  if (!requirements) return undefined;
  const python = `python${task.artifact.runtime.python![0]}.${task.artifact.runtime.python![1]}`;
  const sources = requirementsBuildSources(requirements);
  const parts: HybridPart[] = [];
  for (const compiling of pipCompiling(facts, task)) {
    const from = compiling.from;
    if (!from || parts.some((p) => p.name === compiling.name)) continue;
    const part = 'sdist' in from ? { sdist: `${CONTAINER.build}/${from.sdist}` } : { local: projectDir(from.local) };
    parts.push({ name: compiling.name, distribution: normaliseProject(compiling.name), failure: failureLine(part), steps: planSteps({ python, steps: [emulatedPartStep(python, part, sources)], files: [], env: {}, output: PYTHON_PATHS.emulated }) });
  }
  if (parts.length === 0) return undefined;
  return {
    output: PYTHON_PATHS.emulated, owners: 'dist-info', parts: parts.sort((a, b) => (a.name < b.name ? -1 : 1)),
    steps: [{ require: `command -v ${python} >/dev/null`, message: `lambda-pack: ${python} is not in this image; use an image made for ${task.artifact.runtime.id}` }],
  };
}
