// Registry auth challenges (WWW-Authenticate: Basic, or Bearer realm/service/scope) and the
// Authorization header that answers them; Bearer tokens come from the realm's token service.
import { ExternalError } from '../../errors.js';
import type { Credential } from './credentials.js';
import { readBody, send, type Trust } from './http.js';

export interface Challenge {
  readonly scheme: 'basic' | 'bearer';
  readonly params: Readonly<Record<string, string>>;
}

/** Parses `Bearer realm="https://…",service="…",scope="…"` (RFC 7235 auth-params; the first challenge we understand). */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(basic|bearer)\b(.*)$/i.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const pattern = /([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (const m of match[2]!.matchAll(pattern)) params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  return { scheme: match[1]!.toLowerCase() as Challenge['scheme'], params };
}

export function basicHeader(credential: Credential): string {
  return `Basic ${Buffer.from(`${credential.username ?? ''}:${credential.password ?? ''}`, 'utf8').toString('base64')}`;
}

export interface TokenRequest {
  readonly registry: string;
  readonly challenge: Challenge;
  readonly scopes: readonly string[];
  readonly credential: Credential | undefined;
  readonly trust: Trust;
}

/** Why the token service refused, as the fix the user needs (never echoing the credential). */
function tokenRefused(request: TokenRequest, status: number, realm: URL): ExternalError {
  const { registry, credential } = request;
  const fix = credential
    ? `The credentials from ${credential.source} were refused: run docker login ${registry} again (for ECR: aws ecr get-login-password | docker login --username AWS --password-stdin ${registry}), or fix that entry.`
    : `No credentials for ${registry} were found (${'$'}DOCKER_CONFIG/config.json or ~/.docker/config.json): run docker login ${registry}.`;
  return new ExternalError(status === 401 ? 'REGISTRY_UNAUTHORIZED' : 'REGISTRY_DENIED',
    `The token service of ${registry} (${realm.origin}${realm.pathname}) answered ${status} for ${request.scopes.join(' ')}. ${fix}`, { fix });
}

/** Fetches a Bearer token for `scopes`: GET with Basic credentials, or the OAuth2 refresh-token POST for an identity token. */
export async function fetchToken(request: TokenRequest): Promise<{ token: string; expiresAt: number }> {
  const { challenge, credential, scopes, trust, registry } = request;
  const realmText = challenge.params.realm;
  if (!realmText) throw new ExternalError('REGISTRY_AUTH_UNSUPPORTED', `${registry} asked for a Bearer token without naming a realm (the token service). lambda-pack cannot log in there.`);
  const realm = new URL(realmText);
  if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(realm.hostname))) {
    throw new ExternalError('REGISTRY_AUTH_UNSUPPORTED', `${registry} names a token service over plain HTTP (${realm.origin}); lambda-pack sends credentials over HTTPS only.`);
  }
  const service = challenge.params.service;
  let response: Awaited<ReturnType<typeof send>>;
  if (credential?.identityToken) {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credential.identityToken, client_id: 'lambda-pack', ...(service ? { service } : {}) });
    if (scopes.length) form.set('scope', scopes.join(' '));
    response = await send({ method: 'POST', url: realm, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new TextEncoder().encode(form.toString()) }, trust);
  } else {
    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    response = await send({ method: 'GET', url, headers: credential ? { authorization: basicHeader(credential) } : {}, followRedirects: true }, trust);
  }
  const body = await readBody(response, 1 << 20);
  if (response.status !== 200) throw tokenRefused(request, response.status, realm);
  let parsed: { token?: string; access_token?: string; expires_in?: number };
  try { parsed = JSON.parse(body.toString('utf8')) as typeof parsed; } catch {
    throw new ExternalError('REGISTRY_AUTH_UNSUPPORTED', `The token service of ${registry} (${realm.origin}) answered something other than JSON.`);
  }
  const token = parsed.token ?? parsed.access_token;
  if (!token) throw new ExternalError('REGISTRY_AUTH_UNSUPPORTED', `The token service of ${registry} (${realm.origin}) answered without a token.`);
  // Docker's default lifetime is 60 s when the service does not say; renew a little early.
  const seconds = Math.max(10, (parsed.expires_in ?? 60) - 5);
  return { token, expiresAt: Date.now() + seconds * 1000 };
}
