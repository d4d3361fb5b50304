// `sam local invoke` for lambda-pack's artifacts: the load check's container and Runtime API,
// handing the function one event and returning its response, or its error and logs.
import { randomUUID } from 'node:crypto';
import { exitFinding, initErrorFinding, timeoutFinding } from './classify.js';
import type { RuntimeError } from './runtime-api.js';
import { runRuntime, type FunctionCode, type RuntimeRunOptions } from './session.js';
import type { Finding } from '../verify/findings.js';

export interface InvokeOptions extends Omit<RuntimeRunOptions, 'code'> {
  /** A zip with its layers, or `{ kind: 'image' }` when `image` is the function's own image. */
  readonly code: FunctionCode;
  /** The event, as JSON text. */
  readonly event: string;
}

export type InvokeResult =
  | { readonly outcome: 'response'; readonly body: string; readonly contentType?: string; readonly logs: readonly string[]; readonly durationMs: number }
  | { readonly outcome: 'function-error'; readonly error: RuntimeError; readonly logs: readonly string[]; readonly durationMs: number }
  /** The function never got the event: its init failed (the load check's finding says how). */
  | { readonly outcome: 'init-failed'; readonly finding: Finding; readonly logs: readonly string[]; readonly durationMs: number };

const MAX_LOG_LINES = 10_000;

export async function invoke(options: InvokeOptions): Promise<InvokeResult> {
  const logs: string[] = [];
  const onLog = (line: string) => {
    if (logs.length < MAX_LOG_LINES) logs.push(line);
    options.onLog?.(line);
  };
  const timeoutMs = options.timeoutMs ?? (options.engine.arch && options.engine.arch.name !== options.arch.name ? 300_000 : 90_000);
  const run = await runRuntime({ ...options, timeoutMs, onLog }, {
    requestId: randomUUID(),
    event: options.event,
    deadlineMs: Date.now() + timeoutMs,
    functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${options.functionName ?? 'function'}`,
  });
  const { durationMs } = run;
  if (run.response) return { outcome: 'response', body: run.response.body, contentType: run.response.contentType, logs, durationMs };
  if (run.invocationError) return { outcome: 'function-error', error: run.invocationError, logs, durationMs };
  if (run.ready) {
    const reason = run.timedOut ? `did not answer within ${Math.round(timeoutMs / 1000)} s` : `exited with status ${run.exitCode} before answering`;
    return { outcome: 'function-error', error: { errorType: run.timedOut ? 'Sandbox.Timedout' : 'Runtime.ExitError', errorMessage: `The function ${reason}`, trace: [] }, logs, durationMs };
  }
  const finding = run.initError ? initErrorFinding(options.runtime, run.initError)
    : run.timedOut ? timeoutFinding(options.runtime, timeoutMs, run.contacted, run.logTail)
    : exitFinding(options.runtime, run.exitCode, run.logTail);
  return { outcome: 'init-failed', finding, logs, durationMs };
}
