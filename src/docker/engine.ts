// Connects to the Docker engine (DOCKER_HOST, config, or the default socket) and proves it
// answers within a few seconds, failing with the address tried and how to start an engine.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { ExternalError } from '../errors.js';
import { lightClient } from './light.js';

export interface Engine {
  /** The full client, loaded on first use (dockerode is slow to load and a no-op build needs none). */
  client(): Promise<Docker>;
  /** Read-only GETs: light over HTTP/unix sockets, through the full client elsewhere. */
  get(path: string): Promise<{ status: number; body: unknown }>;
  /** The address as the user would write it (unix:///var/run/docker.sock, tcp://…, ssh://…). */
  readonly address: string;
  readonly apiVersion: string;
}

const PING_TIMEOUT_MS = 5000;

function defaultAddress(): string {
  const candidates = ['/var/run/docker.sock', path.join(os.homedir(), '.docker/run/docker.sock'), path.join(os.homedir(), '.colima/default/docker.sock')];
  const found = candidates.find((c) => existsSync(c));
  return `unix://${found ?? candidates[0]}`;
}

export function engineAddress(configured?: string, env: NodeJS.ProcessEnv = process.env): string {
  return configured ?? env.DOCKER_HOST ?? defaultAddress();
}

async function clientFor(address: string): Promise<Docker> {
  const { default: Docker } = await import('dockerode');
  const url = new URL(address);
  switch (url.protocol) {
    case 'unix:': return new Docker({ socketPath: url.pathname });
    case 'npipe:': return new Docker({ socketPath: address.replace(/^npipe:/, '') });
    case 'tcp:': case 'http:': case 'https:': return new Docker({
      host: url.hostname, port: Number(url.port || 2375), protocol: url.protocol === 'https:' ? 'https' : 'http',
    });
    case 'ssh:': return new Docker({ protocol: 'ssh', host: url.hostname, port: Number(url.port || 22), username: url.username || undefined } as Docker.DockerOptions);
    default: throw new ExternalError('ENGINE_ADDRESS', `Unsupported Docker address ${address}: use unix://, tcp://, ssh:// or npipe://.`);
  }
}

function unreachable(address: string, reason: string, cause?: unknown): ExternalError {
  const fix = address.startsWith('unix://')
    ? 'Start an engine (Linux: `sudo systemctl start docker`, or `sudo dockerd &`; this repository: `bash scripts/setup-machine.sh`; macOS/Windows: start Docker Desktop), or point DOCKER_HOST at one that runs.'
    : 'Check that the engine at that address runs and is reachable, or unset DOCKER_HOST to use the local socket.';
  return new ExternalError('ENGINE_UNREACHABLE', `No Docker engine answered at ${address} (${reason}). ${fix}`, { fix }, { cause });
}

export async function connectEngine(options: { address?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Engine> {
  const address = engineAddress(options.address, options.env);
  let light;
  try { light = lightClient(address); } catch (error) {
    throw unreachable(address, `not a valid address: ${(error as Error).message}`, error);
  }
  let client: Promise<Docker> | undefined;
  const full = () => (client ??= clientFor(address));
  const get = light ? (p: string) => light.get(p) : async (p: string) => {
    const docker = await full();
    return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      docker.modem.dial({ path: p, method: 'GET', statusCodes: { 200: true } }, (error: unknown, body: unknown) => {
        if (!error) resolve({ status: 200, body });
        else if ((error as { statusCode?: number }).statusCode === 404) resolve({ status: 404, body: undefined });
        else reject(error);
      });
    });
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unreachable(address, `no answer within ${PING_TIMEOUT_MS / 1000} s`)), PING_TIMEOUT_MS);
  });
  try {
    const version = light ? (await Promise.race([light.get('/version', PING_TIMEOUT_MS), timeout])).body as { ApiVersion: string }
      : await Promise.race([(await full()).version(), timeout]);
    return { client: full, get, address, apiVersion: version.ApiVersion };
  } catch (error) {
    if (error instanceof ExternalError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw unreachable(address, code === 'ENOENT' ? 'no such socket' : code === 'EACCES' ? 'permission denied: add your user to the docker group' : (error as Error).message, error);
  } finally {
    clearTimeout(timer);
  }
}
