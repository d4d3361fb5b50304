// Runs one build container: create (task platform, invoking user, no host mounts), copy inputs
// in through the archive API, stream logs, wait, copy outputs out, and always remove it.
import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import os from 'node:os';
import type Docker from 'dockerode';
import { ExternalError, InterruptedError } from '../errors.js';
import { processAlive } from '../process.js';
import type { Architecture } from '../runtimes.js';
import type { Engine } from './engine.js';

/** Label put on every container lambda-pack creates; its value identifies the run. */
export const RUN_LABEL = 'dev.lambda-pack.run';
/** What the container is for: an install, a load check, opening the cache volume. */
export const PURPOSE_LABEL = 'dev.lambda-pack.purpose';
export type ContainerPurpose = 'install' | 'load-check' | 'cache-volume';
/** Which process on which host created it: `<hostname>/<pid>`, so a later run can tell abandoned ones. */
export const OWNER_LABEL = 'dev.lambda-pack.owner';

export function ownerLabel(): string {
  return `${os.hostname()}/${process.pid}`;
}

export interface ContainerSpec {
  readonly image: string;
  readonly arch: Architecture;
  /** argv; where a shell is needed the caller quotes every argument. */
  readonly cmd: readonly string[];
  /** Replaces the image's ENTRYPOINT; undefined keeps it. */
  readonly entrypoint?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly workdir: string;
  /** uid:gid to run as; undefined keeps the image's user. */
  readonly user?: string;
  /** Tar streams to extract at the given container directory before start. */
  readonly inputs: readonly { readonly dir: string; readonly tar: () => Readable }[];
  readonly memoryBytes?: number;
  readonly name: string;
  /** Named engine volumes (never host paths) and where they are mounted. */
  readonly volumes?: readonly { readonly name: string; readonly mount: string }[];
  /** What it is for (a label, so tools and tests can tell the kinds apart). */
  readonly purpose: ContainerPurpose;
  /** `none` for a container that needs no network (default: the engine's bridge). */
  readonly network?: 'bridge' | 'none';
}

export interface RunHooks {
  readonly runId: string;
  readonly onLog?: (line: string) => void;
  readonly signal?: AbortSignal;
  /**
   * When this settles, the running container is killed and the run ends as after any exit: for a
   * container that serves until its caller has what it needs (the load check's runtime).
   */
  readonly stop?: Promise<unknown>;
}

export interface FinishedContainer {
  readonly exitCode: number;
  readonly oomKilled: boolean;
  readonly logTail: string[];
  /** Copies a path out of the (stopped) container as a tar stream. */
  readonly copyOut: (containerPath: string) => Promise<Readable>;
  /** What is at a path of the (stopped) container; undefined when nothing is. */
  readonly statPath: (containerPath: string) => Promise<PathStat | undefined>;
}

/** A container path as the engine's archive API describes it. */
export interface PathStat {
  readonly kind: 'file' | 'directory' | 'symlink' | 'other';
  /** For a symlink, its target as written. */
  readonly linkTarget?: string;
}

/** Go's os.FileMode bits, as the engine sends them in X-Docker-Container-Path-Stat. */
const GO_MODE_DIR = 2 ** 31;
const GO_MODE_SYMLINK = 2 ** 27;
const GO_MODE_SPECIAL = 2 ** 26 | 2 ** 25 | 2 ** 24 | 2 ** 21 | 2 ** 19; // device, pipe, socket, char device, irregular

export function parsePathStat(header: string): PathStat {
  const stat = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as { mode?: number; linkTarget?: string };
  const mode = stat.mode ?? 0;
  if (mode & GO_MODE_SYMLINK) return { kind: 'symlink', linkTarget: stat.linkTarget ?? '' };
  if (mode & GO_MODE_DIR) return { kind: 'directory' };
  return { kind: mode & GO_MODE_SPECIAL ? 'other' : 'file' };
}

async function statContainerPath(container: Docker.Container, containerPath: string): Promise<PathStat | undefined> {
  try {
    const response = await container.infoArchive({ path: containerPath }) as unknown as { headers: Record<string, string | undefined>; resume?: () => void };
    response.resume?.();
    const header = response.headers['x-docker-container-path-stat'];
    if (!header) throw new Error('the engine sent no X-Docker-Container-Path-Stat header');
    return parsePathStat(header);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

const TAIL_LINES = 40;
const ERROR_LINES = 20;
const ERROR_LINE = /\berror\b|\berror\[|fatal:|undefined reference/i;

/** Keeps the last lines of a log, and the error lines before them that a long tail would push out. */
export class LogTail {
  private readonly tail: string[] = [];
  private readonly errors: { index: number; line: string }[] = [];
  private count = 0;

  add(line: string): void {
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    if (ERROR_LINE.test(line)) {
      this.errors.push({ index: this.count, line });
      if (this.errors.length > ERROR_LINES) this.errors.shift();
    }
    this.count++;
  }

  lines(): string[] {
    const firstInTail = this.count - this.tail.length;
    const earlier = this.errors.filter((e) => e.index < firstInTail).map((e) => e.line);
    return earlier.length > 0 ? [...earlier, '…', ...this.tail] : [...this.tail];
  }
}

function toEnv(env: Readonly<Record<string, string>>): string[] {
  return Object.keys(env).sort().map((k) => `${k}=${env[k]}`);
}

/**
 * Waits for the container to exit, watching the engine meanwhile. A dead engine leaves the wait
 * call hanging with nothing else to keep the process alive, so it would end with no message; a
 * dropped connection (a remote engine behind a flaky network) leaves it hanging for good. Each
 * second the container is inspected over a new request: two that fail mean the engine is gone; output that stopped while the container runs, or a container that
 * exited without the wait answering, mean the run's connections were lost.
 */
async function waitWatched(engine: Engine, container: Docker.Container, detached: () => boolean): Promise<{ StatusCode: number }> {
  let watchdog: NodeJS.Timeout | undefined;
  const lost = (what: string) => new ExternalError('ENGINE_CONNECTION_LOST',
    `The connection to the Docker engine at ${engine.address} dropped during the build (${what}). The engine still answers; its container for this task is removed. Check the network to that engine and build again.`);
  const gone = new Promise<never>((_, reject) => {
    let failures = 0;
    let suspicious = 0;
    watchdog = setInterval(() => {
      engine.get(`/containers/${container.id}/json`).then(({ body }) => {
        failures = 0;
        const running = (body as { State?: { Running?: boolean } }).State?.Running === true;
        suspicious = !running || detached() ? suspicious + 1 : 0;
        // The wait answers within moments of the exit; the output closes with the process.
        if (suspicious >= 5) reject(lost(running ? 'its output stream closed while the container still runs' : 'the container exited but the wait for it never answered'));
      }, (error: unknown) => {
        if (++failures >= 2) {
          reject(new ExternalError('ENGINE_GONE', `The Docker engine at ${engine.address} stopped answering during the build (${(error as Error).message}). Start it again and rebuild; containers this run could not remove are removed by the next run.`, {}, { cause: error }));
        }
      }).catch(() => {});
    }, 1000);
  });
  try {
    return await Promise.race([container.wait() as Promise<{ StatusCode: number }>, gone]);
  } finally {
    clearInterval(watchdog);
  }
}

/** Creates, runs and removes a container; `use` runs while it exists, after it exited. */
export async function withContainer<T>(engine: Engine, spec: ContainerSpec, hooks: RunHooks, use: (finished: FinishedContainer) => Promise<T>): Promise<T> {
  const docker = await engine.client();
  if (hooks.signal?.aborted) throw new InterruptedError(hooks.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
  let container: Docker.Container | undefined;
  const onAbort = () => { void container?.kill().catch(() => {}); };
  hooks.signal?.addEventListener('abort', onAbort);
  try {
    container = await docker.createContainer({
      Image: spec.image,
      name: spec.name,
      Cmd: [...spec.cmd],
      ...(spec.entrypoint ? { Entrypoint: [...spec.entrypoint] } : {}),
      Env: toEnv(spec.env),
      WorkingDir: spec.workdir,
      User: spec.user,
      Labels: { [RUN_LABEL]: hooks.runId, [OWNER_LABEL]: ownerLabel(), [PURPOSE_LABEL]: spec.purpose },
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      NetworkDisabled: spec.network === 'none',
      HostConfig: {
        Memory: spec.memoryBytes,
        MemorySwap: spec.memoryBytes,
        CapDrop: ['ALL'],
        CapAdd: spec.user?.startsWith('0:') ? ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'SETUID', 'SETGID'] : [],
        SecurityOpt: ['no-new-privileges'],
        NetworkMode: spec.network ?? 'bridge',
        Binds: (spec.volumes ?? []).map((v) => `${v.name}:${v.mount}`),
      },
      platform: spec.arch.dockerPlatform,
    } as Docker.ContainerCreateOptions);
    for (const input of spec.inputs) await container.putArchive(input.tar(), { path: input.dir });
    const logTail = new LogTail();
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    let detached = false;
    for (const event of ['end', 'close', 'error']) stream.on(event, () => { detached = true; });
    const lines = new PassThrough();
    docker.modem.demuxStream(stream, lines, lines);
    let partial = '';
    lines.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split(/\r?\n/);
      partial = parts.pop() ?? '';
      for (const line of parts) { logTail.add(line); hooks.onLog?.(line); }
    });
    await container.start();
    const started = container;
    const kill = () => { void started.kill().catch(() => {}); };
    hooks.stop?.then(kill, kill);
    const result = await waitWatched(engine, container, () => detached);
    // The last lines may still be in flight when the wait answers.
    if (!detached) await new Promise((resolve) => { const timer = setTimeout(resolve, 1000); stream.once('end', () => { clearTimeout(timer); resolve(undefined); }); });
    (stream as unknown as { destroy?: () => void }).destroy?.();
    if (partial) { logTail.add(partial); hooks.onLog?.(partial); }
    if (hooks.signal?.aborted) throw new InterruptedError(hooks.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
    const state = (await container.inspect()).State;
    const running = container;
    return await use({
      exitCode: result.StatusCode,
      oomKilled: state.OOMKilled,
      logTail: logTail.lines(),
      copyOut: async (containerPath) => await running.getArchive({ path: containerPath }) as unknown as Readable,
      statPath: (containerPath) => statContainerPath(running, containerPath),
    });
  } catch (error) {
    if (error instanceof ExternalError || error instanceof InterruptedError) throw error;
    if (hooks.signal?.aborted) throw new InterruptedError(hooks.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
    throw new ExternalError('ENGINE_FAILED', `The Docker engine at ${engine.address} failed while running ${spec.name}: ${(error as Error).message}`, {}, { cause: error });
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    if (container) await container.remove({ force: true, v: true }).catch(() => {});
  }
}

/**
 * Removes containers that runs on this host left behind when they could not clean up (the engine
 * went away mid-build, the process was killed with SIGKILL): their owner process is gone.
 */
export async function removeAbandonedContainers(engine: Engine): Promise<number> {
  const filters = encodeURIComponent(JSON.stringify({ label: [OWNER_LABEL] }));
  const all = (await engine.get(`/containers/json?all=1&filters=${filters}`)).body as Docker.ContainerInfo[];
  const abandoned = all.filter((c) => {
    const [host, pid] = (c.Labels[OWNER_LABEL] ?? '').split('/');
    return host === os.hostname() && Number(pid) !== process.pid && !processAlive(Number(pid));
  });
  if (abandoned.length === 0) return 0;
  const docker = await engine.client();
  await Promise.all(abandoned.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
  return abandoned.length;
}

/** Removes every container left by run `runId` (e.g. after the engine came back). */
export async function removeRunContainers(engine: Engine, runId: string): Promise<number> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] }));
  const leftovers = (await engine.get(`/containers/json?all=1&filters=${filters}`)).body as Docker.ContainerInfo[];
  if (leftovers.length === 0) return 0;
  // New connections: the ones the run used may be what failed.
  const docker = await engine.reconnect();
  await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
  return leftovers.length;
}
