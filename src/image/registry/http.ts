// One HTTP(S) exchange with a registry (or its token service, or the storage it redirects to):
// trusted CAs = Node's, the system bundle and the configured files; redirects followed, with the
// Authorization header kept only on the registry's own origin.
import { readFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';

export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH';
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  /** Bytes, or a factory for a fresh stream (so a request can be retried after an auth challenge). */
  readonly body?: Uint8Array | (() => NodeJS.ReadableStream);
  /** Follow 301/302/303/307/308 (GET and HEAD only). */
  readonly followRedirects?: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The URL that answered, after redirects. */
  readonly url: URL;
  readonly body: http.IncomingMessage;
}

export interface Trust {
  /** PEM certificates trusted besides Node's own roots. */
  readonly ca: readonly string[];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const TIMEOUT_MS = 60_000;

/** The host's CA bundle, if it has one ($SSL_CERT_FILE, else the usual Linux/macOS paths). */
export function systemCaBundle(env: NodeJS.ProcessEnv = process.env): string[] {
  const candidates = [env.SSL_CERT_FILE, '/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  return found ? [readFileSync(found, 'utf8')] : [];
}

/** Node's roots plus the system bundle plus `files` (PEM paths, e.g. the config's certificates). */
export function trustFrom(files: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Trust {
  return { ca: [...tls.rootCertificates, ...systemCaBundle(env), ...files.map((f) => readFileSync(f, 'utf8'))] };
}

const agents = new WeakMap<Trust, https.Agent>();
const plainAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });

function agentFor(trust: Trust): https.Agent {
  let agent = agents.get(trust);
  if (!agent) {
    agent = new https.Agent({ keepAlive: true, maxSockets: 8, ca: [...trust.ca] });
    agents.set(trust, agent);
  }
  return agent;
}

function once(request: HttpRequest, trust: Trust): Promise<HttpResponse> {
  const { url } = request;
  const secure = url.protocol === 'https:';
  const body = request.body;
  const headers: Record<string, string> = { ...request.headers };
  if (body instanceof Uint8Array) headers['content-length'] = String(body.length);
  else if (!body && (request.method === 'PUT' || request.method === 'POST' || request.method === 'PATCH')) headers['content-length'] = '0';
  return new Promise((resolve, reject) => {
    const options = { method: request.method, headers, agent: secure ? agentFor(trust) : plainAgent, timeout: TIMEOUT_MS };
    const req = (secure ? https : http).request(url, options, (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, url, body: res }));
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer from ${url.host} within ${TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    if (body instanceof Uint8Array) req.end(body);
    else if (body) {
      const stream = body();
      stream.on('error', (error) => req.destroy(error));
      stream.pipe(req);
    } else req.end();
  });
}

/** Sends the request; follows redirects when asked, dropping Authorization once the origin changes. */
export async function send(request: HttpRequest, trust: Trust): Promise<HttpResponse> {
  let current = request;
  for (let hop = 0; ; hop++) {
    const response = await once(current, trust);
    if (!current.followRedirects || !REDIRECTS.has(response.status) || !response.headers.location) return response;
    response.body.resume();
    if (hop === MAX_REDIRECTS) return response;
    const next = new URL(response.headers.location, current.url);
    const headers = { ...current.headers };
    if (next.origin !== request.url.origin) delete headers.authorization;
    current = { ...current, url: next, headers };
  }
}

/** Reads a (small) body to the end. */
export async function readBody(response: HttpResponse, limit = 16 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      response.body.destroy();
      throw new Error(`the answer from ${response.url.host} is larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
