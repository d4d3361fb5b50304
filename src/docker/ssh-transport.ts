// The transport under ssh:// engines: an http.Agent whose connections are `ssh … docker system
// dial-stdio` processes, the Engine API spoken over their stdin/stdout (as the docker CLI does).
// One ssh process per connection; idle ones are kept a while and reused for the next request.
import { spawn as spawnProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import http from 'node:http';
import { Duplex } from 'node:stream';
import { sshArgs, SshFailure } from './ssh-command.js';

export type Spawn = (file: string, args: readonly string[]) => ChildProcessWithoutNullStreams;

// In a session of its own (as the docker CLI does): Ctrl-C reaches lambda-pack, which still needs
// its connections to remove its containers, and not the ssh processes under it.
const defaultSpawn: Spawn = (file, args) => spawnProcess(file, args, { stdio: 'pipe', detached: process.platform !== 'win32', windowsHide: true });

const STDERR_BYTES = 8192;
/** How long an idle connection (an ssh process) waits for the next request before it is closed. */
const IDLE_MS = 30_000;

/** One connection: a byte stream over an ssh child's stdio, shaped enough like a socket for node:http. */
export class SshConnection extends Duplex {
  private stderr = '';
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    super();
    child.stdout.on('data', (chunk: Buffer) => {
      this.touch();
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stderr.on('data', (chunk: Buffer) => { this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_BYTES); });
    // A write to an ssh that died fails with EPIPE; its exit (below) says why, in its own words.
    child.stdin.on('error', () => {});
    child.on('error', (error: NodeJS.ErrnoException) => {
      this.destroy(error.code === 'ENOENT' ? new SshFailure(null, 'the ssh client is not installed: install OpenSSH (Debian/Ubuntu: apt-get install openssh-client)') : error);
    });
    // After stdout and stderr are drained, so every byte and all of ssh's message are in.
    child.on('close', (exitCode) => {
      if (this.destroyed) return;
      if (exitCode === 0) this.push(null);
      else this.destroy(new SshFailure(exitCode, this.stderr));
    });
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.touch();
    // The callback runs once the pipe took the chunk: that is the backpressure.
    this.child.stdin.write(chunk, () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.child.stdin.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.idle);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
    callback(error);
  }

  /** The idle timeout in ms, as net.Socket has it (the Agent reads it). */
  timeout = 0;

  // What node:http and its Agent call on a socket, with net.Socket's meaning: 0 clears the timer
  // and removes the listener given (node:http relies on that to drop its per-request listener).
  setTimeout(ms: number, onTimeout?: () => void): this {
    this.timeout = ms;
    if (ms === 0) {
      if (onTimeout) this.removeListener('timeout', onTimeout);
    } else if (onTimeout) {
      this.once('timeout', onTimeout);
    }
    this.touch();
    return this;
  }

  setKeepAlive(): this { return this; }
  setNoDelay(): this { return this; }

  ref(): this {
    this.child.ref();
    for (const pipe of [this.child.stdin, this.child.stdout, this.child.stderr]) (pipe as unknown as { ref?: () => void }).ref?.();
    return this;
  }

  /** An idle kept connection must not keep lambda-pack running. */
  unref(): this {
    this.child.unref();
    for (const pipe of [this.child.stdin, this.child.stdout, this.child.stderr]) (pipe as unknown as { unref?: () => void }).unref?.();
    return this;
  }

  private touch(): void {
    clearTimeout(this.idle);
    if (this.timeout > 0) {
      this.idle = setTimeout(() => this.emit('timeout'), this.timeout);
      this.idle.unref();
    }
  }
}

export interface SshAgentOptions {
  readonly identityFile?: string;
  readonly spawn?: Spawn;
}

/**
 * An http.Agent for the engine at `address` (ssh://…): every connection it opens is a new
 * `ssh … docker system dial-stdio`; requests go to any host name (the engine ignores it).
 */
export function sshAgent(address: string, options: SshAgentOptions = {}): http.Agent {
  const args = sshArgs(address, options.identityFile);
  const spawn = options.spawn ?? defaultSpawn;
  const agent = new http.Agent({ keepAlive: true, timeout: IDLE_MS });
  agent.createConnection = () => new SshConnection(spawn('ssh', args)) as unknown as ReturnType<typeof agent.createConnection>;
  return agent;
}
