// Every failure of a task's build names the step it failed in: the executor runs each step
// through inStep, which records the step on lambda-pack's errors and turns anything else into an
// internal error that says where it happened.
import { InternalError, InterruptedError, LambdaPackError } from '../errors.js';

export const STEPS = ['resolve image', 'prebuild', 'install', 'cache', 'package', 'verify', 'load check', 'image', 'commit'] as const;
export type StepName = (typeof STEPS)[number];

export async function inStep<T>(task: string, step: StepName, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    if (error instanceof LambdaPackError) {
      error.step ??= step;
      throw error;
    }
    const failure = new InternalError('STEP_FAILED', `${task}: the ${step} step failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    failure.step = step;
    throw failure;
  }
}
