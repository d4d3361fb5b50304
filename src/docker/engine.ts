// Connects to a Docker engine (see endpoint.ts for which) and proves it answers within a few
// seconds, failing with the address tried, where it came from, and how to fix it.
import type Docker from 'dockerode';
import { ExternalError } from '../errors.js';
import { ARCHITECTURES, type Architecture } from '../runtimes.js';
import type http from 'node:http';
import { tcpTarget, type Endpoint } from './endpoint.js';
import { lightClient } from './light.js';
import { sshCheckCommand, SshFailure, sshFix } from './ssh-command.js';
import { sshAgent } from './ssh-transport.js';

export interface Engine {
  /** The full client, loaded on first use (dockerode is slow to load and a no-op build needs none). */
  client(): Promise<Docker>;
  /** Read-only GETs: light over HTTP(S)/unix sockets, through the full client elsewhere. */
  get(path: string): Promise<{ status: number; body: unknown }>;
  /** The address as the user would write it (unix:///var/run/docker.sock, tcp://…, ssh://…). */
  readonly address: string;
  /** Where the address came from (docker.hosts.arm64, DOCKER_HOST, a Docker context…). */
  readonly origin: string;
  readonly apiVersion: string;
  /** The machine the engine runs on: containers of this architecture run without emulation. */
  readonly arch: Architecture | undefined;
  /** A client on new connections (new ssh processes for ssh://), for cleaning up after the first ones dropped. */
  reconnect(): Promise<Docker>;
}

const PING_TIMEOUT_MS = 5000;
/** An ssh:// engine's first answer includes the ssh handshake (and any ProxyJump hops). */
const SSH_PING_TIMEOUT_MS = 15_000;

/** For ssh://: the transport, new ssh processes per connection; undefined for other addresses. */
function sshAgentFor(endpoint: Endpoint): http.Agent | undefined {
  return endpoint.address.startsWith('ssh:') ? sshAgent(endpoint.address, { identityFile: endpoint.identityFile }) : undefined;
}

async function clientFor(endpoint: Endpoint, agent: http.Agent | undefined): Promise<Docker> {
  const { default: Docker } = await import('dockerode');
  const { address, tls } = endpoint;
  const url = new URL(address);
  switch (url.protocol) {
    case 'unix:': return new Docker({ socketPath: url.pathname });
    case 'npipe:': return new Docker({ socketPath: address.replace(/^npipe:/, '') });
    case 'tcp:': case 'http:': case 'https:': {
      const { host, port, secure } = tcpTarget(address, tls)!;
      return new Docker({
        host, port, protocol: secure ? 'https' : 'http',
        ...(secure ? { ca: tls?.ca, cert: tls?.cert, key: tls?.key } : {}),
        // docker-modem passes unknown options to https.request.
        ...(tls && !tls.verify ? { rejectUnauthorized: false } : {}),
      } as Docker.DockerOptions);
    }
    // Plain HTTP through the ssh transport's connections; the host name is never resolved.
    case 'ssh:': return new Docker({ protocol: 'http', host: 'docker', port: undefined, agent } as Docker.DockerOptions);
    default: throw new ExternalError('ENGINE_ADDRESS', `Unsupported Docker address ${address} (${endpoint.origin}): use unix://, tcp://, ssh:// or npipe://.`);
  }
}

function unreachable(endpoint: Endpoint, reason: string, cause?: unknown): ExternalError {
  const { address, origin } = endpoint;
  const start = 'Start an engine (Linux: `sudo systemctl start docker`, or `sudo dockerd &`; this repository: `bash scripts/setup-machine.sh`; macOS/Windows: start Docker Desktop)';
  const ssh = address.startsWith('ssh:') ? sshCheckCommand(address, endpoint.identityFile) : undefined;
  const fix = cause instanceof SshFailure && ssh ? sshFix(cause, ssh)
    : /^(unix|npipe):/.test(address) ? `${start}, or point ${origin === 'the default socket' ? 'DOCKER_HOST' : origin} at one that runs.`
    : `Check that the engine at that address runs and is reachable from here${ssh ? ` (\`${ssh}\` must work)` : ''}, or change ${origin}.`;
  return new ExternalError('ENGINE_UNREACHABLE', `No Docker engine answered at ${address} (${origin}): ${reason.replace(/\.$/, '')}. ${fix}`, { fix }, { cause });
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such socket';
  if (code === 'EACCES') return 'permission denied: add your user to the docker group';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (/certificate|SSL|TLS|self.signed/i.test(`${code} ${(error as Error).message}`)) return `TLS failed: ${(error as Error).message} (check ca/cert/key)`;
  return (error as Error).message;
}

/** Connects and proves the engine answers within a few seconds; learns its API version and architecture. */
export async function connectEngine(endpoint: Endpoint): Promise<Engine> {
  let light: ReturnType<typeof lightClient>;
  let agent: http.Agent | undefined;
  try {
    agent = sshAgentFor(endpoint);
    light = lightClient(endpoint.address, endpoint.tls, agent);
  } catch (error) {
    throw unreachable(endpoint, `not a valid address: ${(error as Error).message}`, error);
  }
  let client: Promise<Docker> | undefined;
  const full = () => (client ??= clientFor(endpoint, agent));
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
  const limit = agent ? SSH_PING_TIMEOUT_MS : PING_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unreachable(endpoint, `no answer within ${limit / 1000} s`)), limit);
  });
  try {
    let version: { ApiVersion?: string; Arch?: string };
    if (light) {
      const answer = await Promise.race([light.get('/version', limit), timeout]);
      version = answer.body as typeof version;
      if (answer.status !== 200 || !version?.ApiVersion) {
        const text = String(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)).trim().slice(0, 200);
        throw unreachable(endpoint, `it answered HTTP ${answer.status} (${text})${/HTTPS/i.test(text) ? ': it expects TLS; give certPath (or ca, cert and key)' : ''}`);
      }
    } else {
      version = await Promise.race([(await full()).version(), timeout]);
    }
    const arch = Object.values(ARCHITECTURES).find((a) => a.dockerArch === version.Arch);
    return {
      client: full, get, address: endpoint.address, origin: endpoint.origin, apiVersion: version.ApiVersion ?? '', arch,
      reconnect: () => clientFor(endpoint, sshAgentFor(endpoint)),
    };
  } catch (error) {
    if (error instanceof ExternalError) throw error;
    throw unreachable(endpoint, describe(error), error);
  } finally {
    clearTimeout(timer);
  }
}
