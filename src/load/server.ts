// Serves one RuntimeApiSession over HTTP on a host address the container can reach, for the
// length of one load check or invoke: bodies capped at Lambda's payload limit, held requests
// released on close.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExternalError } from '../errors.js';
import { MAX_BODY_BYTES, type ApiRequest, type RuntimeApiSession } from './runtime-api.js';

export interface RuntimeApiServer {
  /** The address it listens on. */
  readonly host: string;
  readonly port: number;
  /** Whether any request arrived (a container that never connects points at the network). */
  readonly contacted: () => boolean;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<{ body: Buffer; oversize: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let oversize = false;
    req.on('data', (chunk: Buffer) => {
      if (oversize) return;
      if (size + chunk.length > MAX_BODY_BYTES) { oversize = true; chunks.push(chunk.subarray(0, MAX_BODY_BYTES - size)); return; }
      size += chunk.length;
      chunks.push(chunk);
    });
    req.on('end', () => resolve({ body: Buffer.concat(chunks), oversize }));
    req.on('error', reject);
  });
}

/** Listens on the first of `hosts` (addresses of this machine) that binds, port chosen by the system. */
export async function serveRuntimeApi(session: RuntimeApiSession, hosts: readonly string[]): Promise<RuntimeApiServer> {
  const held = new Set<http.ServerResponse>();
  let contacted = false;
  const server = http.createServer((req, res) => {
    contacted = true;
    readBody(req).then(({ body, oversize }) => {
      const request: ApiRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers as Record<string, string | undefined>, body, oversize };
      const reply = session.handle(request);
      if (reply.kind === 'hold') { held.add(res); res.on('close', () => held.delete(res)); return; }
      res.writeHead(reply.status, { ...reply.headers, 'Content-Length': Buffer.byteLength(reply.body) });
      res.end(reply.body);
    }, () => res.destroy());
  });
  // A runtime's long poll on `next` must not time out while the check waits.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  const failures: string[] = [];
  let host: string | undefined;
  for (const candidate of hosts) {
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(0, candidate, () => { server.removeListener('error', resolve); resolve(undefined); });
    });
    if (!error) { host = candidate; break; }
    failures.push(`${candidate}: ${error.code ?? error.message}`);
  }
  if (!host) {
    throw new ExternalError('LOAD_CHECK_LISTEN',
      `lambda-pack could not serve its Runtime API for the load check on the engine's bridge gateway (${failures.join('; ')}): containers reach this machine there. ` +
      'With a rootless engine, or one in a VM, it is not an address of this machine; run the check on an engine that runs here, or turn it off (loadCheck: false, or --no-load-check).');
  }
  return {
    host,
    port: (server.address() as AddressInfo).port,
    contacted: () => contacted,
    close: () => new Promise<void>((resolve) => {
      for (const res of held) res.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
