// Runs a function's runtime the way Lambda's init does, in a container of its architecture from
// the runtime image, against a Runtime API that lambda-pack serves on this machine for this run
// alone. The load check and invoke differ only in whether the session hands out an event.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Engine } from '../docker/engine.js';
import { withContainer } from '../docker/container.js';
import { IMAGES_DIR } from '../docker/recipes.js';
import type { Architecture, Runtime } from '../runtimes.js';
import { placeRuntimeApi } from './placement.js';
import { RuntimeApiSession, type Invocation, type RuntimeError, type RuntimeEvent } from './runtime-api.js';
import { serveRuntimeApi } from './server.js';
import { zipToTar } from './zip-tar.js';

/**
 * What the function's code is: a zip (at /var/task) with its layer zips (at /opt, in order), or
 * already inside the image (a container-image function), which then runs as its own
 * ENTRYPOINT and CMD.
 */
export type FunctionCode =
  | { readonly kind: 'zip'; readonly zip: string; readonly layers: readonly string[] }
  | { readonly kind: 'image' };

export interface RuntimeRunOptions {
  readonly engine: Engine;
  /** The runtime image (or the function's image), already resolved for `arch`. */
  readonly image: string;
  readonly arch: Architecture;
  readonly runtime: Runtime;
  /** e.g. index.handler; none for provided.* (or an image's own CMD). */
  readonly handler?: string;
  readonly code: FunctionCode;
  /** The function's name, for AWS_LAMBDA_FUNCTION_NAME and the container's name. */
  readonly functionName?: string;
  /** Labels the container as the run's (removed with it). */
  readonly runId: string;
  readonly signal?: AbortSignal;
  /** How long the init may take; default 30 s, 120 s when the engine emulates the architecture. */
  readonly timeoutMs?: number;
  readonly memoryBytes?: number;
  /** The function's own environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** Each line the runtime prints, as it prints it. */
  readonly onLog?: (line: string) => void;
}

export interface RuntimeRun {
  /** The runtime asked for its first event: the init succeeded. */
  readonly ready: boolean;
  readonly initError?: RuntimeError;
  readonly response?: { readonly body: string; readonly contentType?: string };
  readonly invocationError?: RuntimeError;
  readonly timedOut: boolean;
  readonly timeoutMs: number;
  /** Whether the runtime contacted the Runtime API at all. */
  readonly contacted: boolean;
  /** Exit status; 137 when lambda-pack stopped it. */
  readonly exitCode: number;
  readonly logTail: readonly string[];
  readonly durationMs: number;
}

/** Lambda's sandbox user (sbx_user1051); the container gets no capabilities. */
export const FUNCTION_USER = '993:990';
const MEMORY_MB = 128;

/** Lambda's provided runtime for zips, the same script the provided stand-in image carries. */
function providedInit(): string {
  return readFileSync(path.join(IMAGES_DIR, 'runtime-provided', 'bootstrap'), 'utf8');
}

function lambdaEnv(options: RuntimeRunOptions, api: string): Record<string, string> {
  const name = options.functionName ?? 'function';
  return {
    ...options.env,
    AWS_LAMBDA_RUNTIME_API: api,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(MEMORY_MB),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'lambda-pack',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: options.env?.AWS_REGION ?? 'us-east-1',
    AWS_DEFAULT_REGION: options.env?.AWS_REGION ?? 'us-east-1',
    LAMBDA_TASK_ROOT: '/var/task',
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    ...(options.handler ? { _HANDLER: options.handler } : {}),
  };
}

/** How the container starts: the image's entrypoint with the handler, or Lambda's provided init. */
function command(options: RuntimeRunOptions): { entrypoint?: string[]; cmd: string[] } {
  if (options.code.kind === 'image') return { cmd: options.handler ? [options.handler] : [] };
  if (options.runtime.family === 'provided') return { entrypoint: ['/bin/sh', '-c', providedInit(), 'lambda-provided-init'], cmd: [] };
  return { entrypoint: ['/lambda-entrypoint.sh'], cmd: [options.handler ?? ''] };
}

function containerName(options: RuntimeRunOptions): string {
  const name = (options.functionName ?? 'function').replace(/[^a-zA-Z0-9_.-]/g, '_').slice(0, 40);
  return `lambda-pack-init-${name}-${options.arch.name}-${options.runId}-${randomBytes(3).toString('hex')}`;
}

/** Runs the runtime until its init ends (or, with `invocation`, until it answered the event). */
export async function runRuntime(options: RuntimeRunOptions, invocation?: Invocation): Promise<RuntimeRun> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? (options.engine.arch && options.engine.arch.name !== options.arch.name ? 120_000 : 30_000);
  const placement = await placeRuntimeApi(options.engine);
  const seen: RuntimeEvent[] = [];
  let settle!: () => void;
  const over = new Promise<void>((resolve) => { settle = resolve; });
  const session = new RuntimeApiSession(invocation, (event) => {
    seen.push(event);
    const last = invocation ? event.kind === 'done' : event.kind === 'ready';
    if (last || event.kind === 'init-error') settle();
  });
  const server = await serveRuntimeApi(session, placement.listenHosts);
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; settle(); }, timeoutMs);
  try {
    const { entrypoint, cmd } = command(options);
    const inputs = options.code.kind === 'zip'
      ? [{ dir: '/var/task', tar: () => zipToTar((options.code as { zip: string }).zip) }, ...options.code.layers.map((layer) => ({ dir: '/opt', tar: () => zipToTar(layer) }))]
      : [];
    const finished = await withContainer(options.engine, {
      image: options.image, arch: options.arch, entrypoint, cmd,
      env: lambdaEnv(options, `${placement.containerHost ?? server.host}:${server.port}`),
      purpose: 'load-check', workdir: '/var/task', user: FUNCTION_USER, inputs, memoryBytes: options.memoryBytes, name: containerName(options),
    }, { runId: options.runId, onLog: options.onLog, signal: options.signal, stop: over }, async (done) => ({ exitCode: done.exitCode, logTail: done.logTail }));
    const find = <K extends RuntimeEvent['kind']>(kind: K) => seen.find((e) => e.kind === kind) as Extract<RuntimeEvent, { kind: K }> | undefined;
    return {
      ready: !!find('ready'),
      initError: find('init-error')?.error,
      response: find('response'),
      invocationError: find('invocation-error')?.error,
      // A runtime that ended on its own before the timer is not late.
      timedOut: timedOut && !find(invocation ? 'done' : 'ready') && !find('init-error'),
      timeoutMs,
      contacted: server.contacted(),
      exitCode: finished.exitCode,
      logTail: finished.logTail,
      durationMs: Date.now() - started,
    };
  } finally {
    clearTimeout(timer);
    settle();
    await server.close();
  }
}
