// A real OCI registry on loopback for tests: Debian's docker-registry (CNCF distribution 2.8) on a
// free 127.0.0.1 port with its own storage, plain HTTP or TLS, with htpasswd (bcrypt) or token auth; what was
// uploaded and mounted is read from its access log.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { freePort } from './net.js';
import { makeCertificates } from './second-engine.js';

export interface TestRegistry {
  /** 127.0.0.1:<port>, as a reference's registry part. */
  readonly host: string;
  /** With tls: the CA certificate (PEM path) that signed the registry's certificate. */
  readonly ca?: string;
  /** Blob uploads the registry completed (PUT …/blobs/uploads/…?digest= answered 201), in order. */
  uploads(): { repository: string; digest: string }[];
  /** Blobs mounted from another repository (POST …?mount= answered 201). */
  mounts(): { repository: string; digest: string }[];
  /** Upload chunks the registry accepted (PATCH …/blobs/uploads/… answered 202). */
  patches(): number;
  /** Marks the log's current end: uploads() and mounts() count only what comes after. */
  mark(): void;
  close(): Promise<void>;
}

export interface RegistryOptions {
  readonly tls?: boolean;
  readonly auth?: { readonly username: string; readonly password: string };
  /** Bearer auth through a token service (see token-server.ts) instead of htpasswd. */
  readonly token?: { readonly realm: string; readonly service: string; readonly issuer: string; readonly bundle: string };
}

const ACCESS = /"(PUT|POST) \/v2\/(\S+?)\/blobs\/uploads\/(\S*) HTTP\/1\.1" 201 /;

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  if (options.tls) await makeCertificates(root);
  if (options.auth) {
    // bcrypt, the only scheme the registry's htpasswd reader accepts.
    const { stdout } = await execa('htpasswd', ['-Bbn', options.auth.username, options.auth.password]);
    writeFileSync(path.join(root, 'htpasswd'), `${stdout.trim()}\n`);
  }
  const config = [
    'version: 0.1',
    'log: { level: warn, formatter: text }',
    `storage: { filesystem: { rootdirectory: ${JSON.stringify(path.join(root, 'data'))} }, maintenance: { uploadpurging: { enabled: false } } }`,
    `http:`,
    `  addr: ${host}`,
    ...(options.tls ? [`  tls: { certificate: ${JSON.stringify(path.join(root, 'server-cert.pem'))}, key: ${JSON.stringify(path.join(root, 'server-key.pem'))} }`] : []),
    ...(options.auth ? [`auth: { htpasswd: { realm: lambda-pack-test, path: ${JSON.stringify(path.join(root, 'htpasswd'))} } }`] : []),
    ...(options.token ? [`auth: { token: { realm: ${JSON.stringify(options.token.realm)}, service: ${JSON.stringify(options.token.service)}, issuer: ${JSON.stringify(options.token.issuer)}, rootcertbundle: ${JSON.stringify(options.token.bundle)} } }`] : []),
  ].join('\n');
  writeFileSync(path.join(root, 'config.yml'), `${config}\n`);
  const logFile = path.join(root, 'registry.log');
  const child: ResultPromise = execa('docker-registry', ['serve', path.join(root, 'config.yml')], { reject: false, stdin: 'ignore', stdout: { file: logFile }, stderr: { file: logFile } });
  const scheme = options.tls ? 'https' : 'http';
  const curlTls = options.tls ? ['--cacert', path.join(root, 'ca.pem')] : [];
  for (let i = 0; ; i++) {
    const up = await execa('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', ...curlTls, `${scheme}://${host}/v2/`], { reject: false });
    if (up.stdout === '200' || up.stdout === '401') break;
    if (i === 100 || child.exitCode !== undefined && child.exitCode !== null) {
      throw new Error(`docker-registry did not start on ${host}: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  let from = 0;
  const lines = () => readFileSync(logFile, 'utf8').split('\n').slice(from);
  const entries = (method: 'PUT' | 'POST') => lines()
    .map((line) => ACCESS.exec(line)).filter((m): m is RegExpExecArray => !!m && m[1] === method)
    .map((m) => {
      const query = new URLSearchParams(m[3]!.split('?')[1] ?? '');
      return { repository: m[2]!, digest: query.get('digest') ?? query.get('mount') ?? '' };
    }).filter((e) => e.digest !== '');
  return {
    host,
    ...(options.tls ? { ca: path.join(root, 'ca.pem') } : {}),
    uploads: () => entries('PUT'),
    mounts: () => entries('POST'),
    patches: () => lines().filter((line) => /"PATCH \/v2\/\S+\/blobs\/uploads\/\S* HTTP\/1\.1" 202 /.test(line)).length,
    mark() { from = readFileSync(logFile, 'utf8').split('\n').length - 1; },
    async close() {
      child.kill('SIGTERM');
      await child;
      rmSync(root, { recursive: true, force: true });
    },
  };
}
