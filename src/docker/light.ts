// A small read-only engine client over node:http for the calls a no-change build makes (version,
// image and container listings): loading dockerode costs more than the whole rest of such a build.
import http from 'node:http';
import https from 'node:https';
import { tcpTarget, type Tls } from './endpoint.js';

export interface LightClient {
  /** GET an engine API path; resolves status and parsed JSON body. */
  get(path: string, timeoutMs?: number): Promise<{ status: number; body: unknown }>;
}

/**
 * A light client for unix://, tcp:// (HTTP, or HTTPS with TLS) and ssh:// addresses (through
 * `sshAgent`, the ssh transport: see ssh-transport.ts); undefined for named pipes.
 */
export function lightClient(address: string, tls?: Tls, sshAgent?: http.Agent): LightClient | undefined {
  const url = new URL(address);
  const tcp = tcpTarget(address, tls);
  const secure = tcp?.secure ?? false;
  const target: https.RequestOptions | undefined = url.protocol === 'unix:' ? { socketPath: url.pathname }
    : tcp ? { host: tcp.host, port: tcp.port }
    : url.protocol === 'ssh:' && sshAgent ? { host: 'docker', agent: sshAgent }
    : undefined;
  if (!target) return undefined;
  if (secure) Object.assign(target, { ca: tls?.ca, cert: tls?.cert, key: tls?.key, rejectUnauthorized: tls?.verify ?? true });
  const transport = secure ? https : http;
  return {
    get: (path, timeoutMs = 30_000) => new Promise((resolve, reject) => {
      const request = transport.get({ ...target, path, headers: { Host: secure ? url.host : 'docker' }, timeout: timeoutMs }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try { body = JSON.parse(text); } catch { /* not JSON: keep the text */ }
          resolve({ status: response.statusCode ?? 0, body });
        });
        response.on('error', reject);
      });
      request.on('timeout', () => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })));
      request.on('error', reject);
    }),
  };
}
