// A Docker token service for tests (the Bearer flow Docker Hub, GHCR and Harbor use): issues RS256
// JWTs that docker-registry's `auth: token` verifies against the signing certificate in its
// rootcertbundle. Grants what was asked to the right user (GET with Basic credentials, or the
// OAuth2 refresh-token POST), nothing to anyone else.
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { execa } from 'execa';

export interface TokenServer {
  /** The realm: http://127.0.0.1:<port>/token. */
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** PEM file of the signing certificate: the registry's rootcertbundle. */
  readonly bundle: string;
  /** The scopes asked for so far, one entry per token request. */
  readonly requests: string[][];
  close(): Promise<void>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export async function startTokenServer(dir: string, user: { username: string; password: string; refreshToken: string }): Promise<TokenServer> {
  const key = path.join(dir, 'token-key.pem');
  const bundle = path.join(dir, 'token-cert.pem');
  await execa('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=lambda-pack-test-token-issuer',
    '-addext', 'keyUsage=digitalSignature', '-keyout', key, '-out', bundle]);
  const privateKey = readFileSync(key, 'utf8');
  const der = new X509Certificate(readFileSync(bundle)).raw;
  const service = 'lambda-pack-test-registry';
  const issuer = 'lambda-pack-test-issuer';
  const requests: string[][] = [];

  const token = (subject: string, scopes: string[]) => {
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.map((scope) => {
      const [type, ...rest] = scope.split(':');
      const actions = rest.pop()!.split(',');
      return { type, name: rest.join(':'), actions };
    });
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [der.toString('base64')] }));
    const claims = b64url(JSON.stringify({ iss: issuer, sub: subject, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access }));
    const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(privateKey);
    return `${header}.${claims}.${b64url(signature)}`;
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)); };
      if (url.pathname !== '/token') return answer(404, {});
      if (req.method === 'POST') {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
        requests.push(scopes);
        if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== user.refreshToken) return answer(401, { error: 'invalid_grant' });
        return answer(200, { access_token: token(user.username, scopes), expires_in: 300 });
      }
      const scopes = url.searchParams.getAll('scope');
      requests.push(scopes);
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!basic) return answer(200, { token: token('', []), expires_in: 300 });
      if (Buffer.from(basic, 'base64').toString('utf8') !== `${user.username}:${user.password}`) return answer(401, { details: 'incorrect username or password' });
      return answer(200, { token: token(user.username, scopes), expires_in: 300 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`, service, issuer, bundle, requests,
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
