// Where lambda-pack serves the Runtime API so that a container of the engine reaches it: the
// engine's bridge gateway (an address of this machine when the engine runs here), or on Docker
// Desktop the loopback, which its VM forwards host.docker.internal to. An engine on another
// machine (ssh://, tcp:// to a remote host) has no route back here: refused with the way out.
import os from 'node:os';
import { ExternalError } from '../errors.js';
import type { Engine } from '../docker/engine.js';

export interface ApiPlacement {
  /** Addresses of this machine to listen on, the first that binds wins. */
  readonly listenHosts: readonly string[];
  /** The host part of AWS_LAMBDA_RUNTIME_API as the container sees this machine; default: the address listened on. */
  readonly containerHost?: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Whether the engine runs on this machine, judged by its address alone. */
export function engineIsLocal(address: string): boolean {
  const url = new URL(address);
  if (url.protocol === 'unix:' || url.protocol === 'npipe:') return true;
  if (url.protocol === 'ssh:') return false;
  return LOOPBACK.has(url.hostname);
}

export async function placeRuntimeApi(engine: Engine): Promise<ApiPlacement> {
  if (!engineIsLocal(engine.address)) {
    throw new ExternalError('LOAD_CHECK_REMOTE_ENGINE',
      `The load check runs the function in a container that must reach lambda-pack's Runtime API on this machine, and the engine at ${engine.address} (${engine.origin}) runs on another one: its containers have no route back here. ` +
      'Run the check on an engine on this machine (for arm64, the default engine emulates it), run lambda-pack on the engine\'s machine, or turn the check off for it (loadCheck: false, or --no-load-check).',
      { fix: 'use a local engine for the load check, or turn it off' });
  }
  const info = await engine.get('/info').catch(() => undefined);
  if (/Docker Desktop/i.test(String((info?.body as { OperatingSystem?: string } | undefined)?.OperatingSystem ?? ''))) {
    return { listenHosts: ['127.0.0.1'], containerHost: 'host.docker.internal' };
  }
  const bridge = await engine.get('/networks/bridge').catch((error: unknown) => ({ status: 0, body: (error as Error).message }));
  const configs = (bridge.body as { IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] } } | undefined)?.IPAM?.Config ?? [];
  const listenHosts = bridgeAddresses(configs, localAddresses());
  if (bridge.status !== 200 || listenHosts.length === 0) {
    throw new ExternalError('LOAD_CHECK_NO_BRIDGE',
      `The load check's containers reach lambda-pack through the engine's "bridge" network, and the engine lists none with an IPv4 subnet (${bridge.status === 200 ? 'no subnet' : `it answered: ${JSON.stringify(bridge.body)}`}). ` +
      'Start the engine with its default bridge network, or turn the check off (loadCheck: false, or --no-load-check).');
  }
  return { listenHosts };
}

/** IPv4 addresses of interfaces that are up (libuv leaves out the others: docker0 with no container). */
function localAddresses(): string[] {
  return Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).filter((i) => i.family === 'IPv4').map((i) => i.address));
}

const toNumber = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);

const toAddress = (n: number) => [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');

/**
 * Where the bridge's gateway (the docker0 interface) may be, most likely first: the gateway the
 * engine lists, an address of this machine inside the bridge's subnet, the subnet's first host
 * (Docker's default gateway; the default bridge lists only its subnet, and an interface with no
 * container attached is down, so it is not among this machine's listed addresses).
 */
export function bridgeAddresses(configs: readonly { Subnet?: string; Gateway?: string }[], addresses: readonly string[]): string[] {
  const found: string[] = [];
  for (const { Subnet, Gateway } of configs) {
    if (Gateway && /^\d+\.\d+\.\d+\.\d+$/.test(Gateway)) found.push(Gateway);
    const [base, bits] = (Subnet ?? '').split('/');
    if (!base || !/^\d+\.\d+\.\d+\.\d+$/.test(base) || bits === undefined) continue;
    const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
    const network = (toNumber(base) & mask) >>> 0;
    found.push(...addresses.filter((a) => ((toNumber(a) & mask) >>> 0) === network), toAddress(network + 1));
  }
  return [...new Set(found)];
}
