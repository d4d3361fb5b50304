// A Python install (install-steps.ts) as the TaskPlan's install steps: generated files written by
// a first step each, a step's own environment as `env NAME=value` in front of its argv (POSIX env,
// in every image), and every failure naming the step.
import type { InstallStep } from '../../plan/types.js';
import type { PythonInstall } from './install-steps.js';

/** Writes argv[2] to the file argv[1], creating its directory. */
export const WRITE_FILE_PROGRAM = "import os, sys\nos.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)\nwith open(sys.argv[1], 'w') as f:\n    f.write(sys.argv[2])\n";

export function planSteps(install: PythonInstall): InstallStep[] {
  const { python } = install;
  return [
    ...install.files.map((file) => ({ run: [python, '-c', WRITE_FILE_PROGRAM, file.path, file.content], onFailure: `lambda-pack: could not write ${file.path}` })),
    ...install.steps.map((step) => ({
      run: [...(step.env ? ['env', ...Object.entries(step.env).map(([name, value]) => `${name}=${value}`)] : []), ...step.argv],
      onFailure: `lambda-pack: pip failed to ${step.name}`,
    })),
  ];
}
