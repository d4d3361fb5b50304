// The load check: a zip (with its layers) proven to load by running Lambda's init phase for it in
// a container of its architecture from the runtime image, before it is accepted.
import type { Finding } from '../verify/findings.js';
import { finding } from '../verify/findings.js';
import { exitFinding, initErrorFinding, timeoutFinding } from './classify.js';
import { runRuntime, type RuntimeRunOptions } from './session.js';
import { UnsafeEntryError } from './zip-tar.js';

export interface LoadCheckOptions extends Omit<RuntimeRunOptions, 'code' | 'onLog'> {
  /** The function zip. */
  readonly zip: string;
  /** Its layer zips, in the order Lambda extracts them to /opt. */
  readonly layers?: readonly string[];
}

export interface LoadCheckResult {
  readonly findings: Finding[];
  readonly durationMs: number;
}

/**
 * Passes when the runtime asks for its first event; fails (an error finding) when it reports an
 * init error of a load failure, exits first, or runs out of time; an exception of the function's
 * own top-level code is a warning. Engine and image failures throw, as everywhere else.
 */
export async function loadCheck(options: LoadCheckOptions): Promise<LoadCheckResult> {
  const started = Date.now();
  const { zip, layers = [], ...rest } = options;
  let run: Awaited<ReturnType<typeof runRuntime>>;
  try {
    run = await runRuntime({ ...rest, code: { kind: 'zip', zip, layers } });
  } catch (error) {
    if (!(error instanceof UnsafeEntryError)) throw error;
    return { findings: [finding('LOAD_FAILED', error.entry, `Lambda cannot extract the zip: ${error.message}`)], durationMs: Date.now() - started };
  }
  const findings: Finding[] = [];
  if (run.initError) findings.push(initErrorFinding(options.runtime, run.initError));
  else if (run.timedOut) findings.push(timeoutFinding(options.runtime, run.timeoutMs, run.contacted, run.logTail));
  else if (!run.ready) findings.push(exitFinding(options.runtime, run.exitCode, run.logTail));
  return { findings, durationMs: Date.now() - started };
}
