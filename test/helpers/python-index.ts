// A real PEP 503 "simple" package index for tests, serving a directory of distribution files over
// HTTP, or HTTPS with basic auth and certificates made by the test. It listens on the Docker bridge
// gateway: the address build containers reach the host by (bridge networking), which host tools
// (pip, poetry, pipenv) reach too.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { parseSdistName, parseWheelName } from '../../src/builders/pip-tags.js';
import { REPO } from './cli.js';

export interface IndexFile { readonly name: string; readonly project: string; readonly sha256: string }

export interface PythonIndex {
  /** The simple index, with its trailing slash: http(s)://<gateway>:<port>/simple/ */
  readonly url: string;
  readonly address: string;
  readonly port: number;
  readonly files: readonly IndexFile[];
  /** Paths requested, with the user name they authenticated as and the status they got. */
  readonly requests: readonly { readonly path: string; readonly user?: string; readonly status: number }[];
  close(): Promise<void>;
}

export interface IndexOptions {
  readonly address?: string;
  readonly tls?: { readonly cert: string; readonly key: string };
  readonly auth?: { readonly username: string; readonly password: string };
}

/** The address containers on the default bridge reach the host by (and the host reaches itself by). */
export async function bridgeGateway(): Promise<string> {
  const inspect = await execa('docker', ['network', 'inspect', 'bridge', '--format', '{{range .IPAM.Config}}{{.Gateway}}{{end}}'], { reject: false });
  const gateway = String(inspect.stdout).trim();
  if (gateway) return gateway;
  const addr = await execa('ip', ['-4', '-o', 'addr', 'show', 'dev', 'docker0'], { reject: false });
  const found = /inet (\d+\.\d+\.\d+\.\d+)/.exec(String(addr.stdout))?.[1];
  if (!found) throw new Error('cannot find the Docker bridge gateway (docker network inspect bridge, ip addr show docker0): the test index needs an address build containers reach');
  return found;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function projectOf(name: string): string | undefined {
  return parseWheelName(name)?.project ?? parseSdistName(name)?.project;
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Serves every wheel and sdist in `dir` as a PEP 503 index. */
export async function startPythonIndex(dir: string, options: IndexOptions = {}): Promise<PythonIndex> {
  const files: IndexFile[] = readdirSync(dir).sort().flatMap((name) => {
    const project = projectOf(name);
    return project ? [{ name, project, sha256: sha256(path.join(dir, name)) }] : [];
  });
  const projects = [...new Set(files.map((f) => f.project))].sort();
  const requests: { path: string; user?: string; status: number }[] = [];
  const expected = options.auth ? `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}` : undefined;
  const handler: http.RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://index');
    const user = req.headers.authorization?.startsWith('Basic ') ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString().split(':')[0] : undefined;
    const seen = { path: url.pathname, ...(user ? { user } : {}), status: 200 };
    requests.push(seen);
    res.on('finish', () => { seen.status = res.statusCode; });
    if (expected && req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="lambda-pack test index"' }).end('authentication required\n');
      return;
    }
    const page = (body: string) => res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(`<!DOCTYPE html>\n<html><body>\n${body}</body></html>\n`);
    if (url.pathname === '/simple/') {
      page(projects.map((p) => `<a href="${p}/">${p}</a><br/>\n`).join(''));
      return;
    }
    const project = /^\/simple\/([^/]+)(\/?)$/.exec(url.pathname);
    if (project) {
      const wanted = project[1]!.toLowerCase().replace(/[-_.]+/g, '-');
      if (wanted !== project[1] || !project[2]) { res.writeHead(301, { Location: `/simple/${wanted}/` }).end(); return; }
      const own = files.filter((f) => f.project === wanted);
      if (own.length === 0) { res.writeHead(404).end('no such project\n'); return; }
      page(own.map((f) => `<a href="../../files/${encodeURIComponent(f.name)}#sha256=${f.sha256}">${escapeHtml(f.name)}</a><br/>\n`).join(''));
      return;
    }
    const file = /^\/files\/([^/]+)$/.exec(url.pathname);
    const served = file && files.find((f) => f.name === decodeURIComponent(file[1]!));
    if (served) {
      const bytes = readFileSync(path.join(dir, served.name));
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length }).end(bytes);
      return;
    }
    res.writeHead(404).end('not found\n');
  };
  const server = options.tls
    ? https.createServer({ cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) }, handler)
    : http.createServer(handler);
  const address = options.address ?? await bridgeGateway();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, address, () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://${address}:${port}/simple/`, address, port, files, requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Where the index's content comes from: Debian's wheelhouse, the fixtures' wheels and sdists, real third-party sdists. */
export const INDEX_SOURCES = [
  '/usr/share/python-wheels',
  path.join(REPO, 'fixtures/python-wheels/function/wheels'),
  path.join(REPO, 'fixtures/python-index/files'),
  path.join(REPO, 'fixtures/python-index/third-party'),
];

/**
 * Fills `target` with the index's files. Fails naming what is missing: setup-machine.sh builds the
 * fixture wheels and fetches the third-party sdists.
 */
export function assembleIndex(target: string, sources: readonly string[] = INDEX_SOURCES): string {
  mkdirSync(target, { recursive: true });
  for (const source of sources) {
    if (!existsSync(source) || readdirSync(source).length === 0) throw new Error(`the test index needs ${source}: run bash scripts/setup-machine.sh`);
    for (const name of readdirSync(source)) if (projectOf(name)) copyFileSync(path.join(source, name), path.join(target, name));
  }
  return target;
}

/** A CA and a server certificate for `address` (subjectAltName IP), made with openssl. */
export async function makeCertificates(dir: string, address: string): Promise<{ ca: string; cert: string; key: string }> {
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  const run = (args: string[]) => execa('openssl', args, { cwd: dir });
  await run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=lambda-pack test CA', '-keyout', 'ca-key.pem', '-out', 'ca.pem']);
  await run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${address}`, '-keyout', 'key.pem', '-out', 'server.csr']);
  writeFileSync(file('san.cnf'), `subjectAltName=IP:${address},DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  await run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '2', '-extfile', 'san.cnf', '-out', 'cert.pem']);
  return { ca: file('ca.pem'), cert: file('cert.pem'), key: file('key.pem') };
}
