// A client of one registry speaking the OCI distribution API: finds its scheme (HTTPS; plain HTTP
// only for loopback or a registry configured as insecure), answers its auth challenge with the
// docker CLI's credentials, and maps every failure to one paragraph naming the registry and the fix.
import { ExternalError } from '../../errors.js';
import { isLoopback } from '../reference.js';
import { basicHeader, fetchToken, parseChallenge, type Challenge } from './auth.js';
import { findCredential, type Credential } from './credentials.js';
import { readBody, send, type HttpRequest, type HttpResponse, type Trust } from './http.js';

export interface RegistryOptions {
  readonly trust: Trust;
  /** Registries (host[:port]) that may answer over plain HTTP though they are not on loopback. */
  readonly insecure?: readonly string[];
  /** Where credentials come from; default: as the docker CLI finds them. */
  readonly credentials?: (registry: string) => Promise<Credential | undefined>;
}

export interface RegistryRequest {
  readonly method: HttpRequest['method'];
  /** A path under the origin (/v2/…) or an absolute URL the registry gave (an upload location). */
  readonly path: string;
  readonly scopes: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: HttpRequest['body'];
  readonly followRedirects?: boolean;
  /** Statuses the caller handles itself; any other is an error. */
  readonly expect: readonly number[];
  /** What the request does, for messages: "reading the manifest of lambda/nodejs:22". */
  readonly doing: string;
}

const TLS_PROTOCOL_ERRORS = /wrong version number|packet length too long|unknown protocol|EPROTO|ECONNRESET/i;

export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

export function pushScope(repository: string): string {
  return `repository:${repository}:pull,push`;
}

export class Registry {
  private origin: Promise<URL> | undefined;
  private challenge: Challenge | undefined;
  private credential: Promise<Credential | undefined> | undefined;
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();

  constructor(readonly name: string, private readonly options: RegistryOptions) {}

  private get plainAllowed(): boolean {
    return isLoopback(this.name) || (this.options.insecure ?? []).includes(this.name);
  }

  /** GET /v2/ over HTTPS (then HTTP where allowed and the server does not speak TLS); learns the auth challenge. */
  private connect(): Promise<URL> {
    this.origin ??= (async () => {
      const tryOrigin = async (scheme: 'https' | 'http') => {
        const origin = new URL(`${scheme}://${this.name}`);
        const response = await send({ method: 'GET', url: new URL('/v2/', origin) }, this.options.trust);
        await readBody(response, 1 << 20).catch(() => undefined);
        if (response.status === 401) this.challenge = parseChallenge(header(response, 'www-authenticate'));
        else if (response.status !== 200) throw this.failure(`answered ${response.status} to GET /v2/ (not an OCI registry API?)`, 'check the registry address');
        return origin;
      };
      try {
        return await tryOrigin('https');
      } catch (error) {
        if (error instanceof ExternalError) throw error;
        if (this.plainAllowed && TLS_PROTOCOL_ERRORS.test(`${(error as NodeJS.ErrnoException).code} ${(error as Error).message}`)) {
          try { return await tryOrigin('http'); } catch (plain) { throw this.transportFailure(plain); }
        }
        throw this.transportFailure(error);
      }
    })();
    this.origin.catch(() => { this.origin = undefined; });
    return this.origin;
  }

  private async authorization(scopes: readonly string[], renew = false): Promise<string | undefined> {
    const challenge = this.challenge;
    if (!challenge) return undefined;
    this.credential ??= (this.options.credentials ?? ((r) => findCredential(r)))(this.name);
    const credential = await this.credential;
    if (challenge.scheme === 'basic') return credential ? basicHeader(credential) : undefined;
    const key = [...scopes].sort().join(' ');
    const cached = this.tokens.get(key);
    if (cached && !renew && cached.expiresAt > Date.now()) return `Bearer ${cached.token}`;
    const token = await fetchToken({ registry: this.name, challenge, scopes, credential, trust: this.options.trust });
    this.tokens.set(key, token);
    return `Bearer ${token.token}`;
  }

  /** One request with auth; a 401 renews the token (or learns a challenge) and retries once. */
  async request(request: RegistryRequest): Promise<HttpResponse> {
    const origin = await this.connect();
    const url = new URL(request.path, origin);
    for (let attempt = 0; ; attempt++) {
      const authorization = url.origin === origin.origin ? await this.authorization(request.scopes, attempt > 0) : undefined;
      let response: HttpResponse;
      try {
        response = await send({
          method: request.method, url, body: request.body, followRedirects: request.followRedirects,
          headers: { ...request.headers, ...(authorization ? { authorization } : {}) },
        }, this.options.trust);
      } catch (error) {
        throw this.transportFailure(error, request.doing);
      }
      if (response.status === 401 && attempt === 0) {
        const challenge = parseChallenge(header(response, 'www-authenticate'));
        await readBody(response).catch(() => undefined);
        if (challenge) { this.challenge = challenge; continue; }
      }
      if (request.expect.includes(response.status)) return response;
      throw await this.statusFailure(response, request.doing);
    }
  }

  private async statusFailure(response: HttpResponse, doing: string): Promise<ExternalError> {
    const said = await registryErrors(response);
    if (response.status === 401) {
      const credential = await this.credential;
      const fix = credential
        ? `The credentials from ${credential.source} were refused: run docker login ${this.name} again (for ECR: aws ecr get-login-password | docker login --username AWS --password-stdin ${this.name}), or fix that entry`
        : `No credentials for ${this.name} were found ($DOCKER_CONFIG/config.json, else ~/.docker/config.json): run docker login ${this.name}`;
      return new ExternalError('REGISTRY_UNAUTHORIZED', `The registry ${this.name} refused ${doing} (401${said}). ${fix}.`, { fix });
    }
    if (response.status === 403) {
      return new ExternalError('REGISTRY_DENIED', `The registry ${this.name} denied ${doing} (403${said}). The credentials work but lack the permission: for ECR, allow ecr:BatchGetImage, ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload and ecr:PutImage on the repository.`);
    }
    if (response.status === 404) {
      return new ExternalError('REGISTRY_NOT_FOUND', `The registry ${this.name} has nothing for ${doing} (404${said}). Check the repository and tag (and imageMirror, if the image comes through a mirror).`);
    }
    return new ExternalError('REGISTRY_FAILED', `The registry ${this.name} failed ${doing}: HTTP ${response.status}${said}. Try again; if it persists, check the registry's health.`);
  }

  private transportFailure(error: unknown, doing = 'the connection'): ExternalError {
    if (error instanceof ExternalError) return error;
    const text = `${(error as NodeJS.ErrnoException).code ?? ''} ${(error as Error).message}`;
    if (/certificate|self.signed|unable to verify|CERT_|SSL/i.test(text)) {
      return new ExternalError('REGISTRY_TLS', `The registry ${this.name} presented a certificate lambda-pack does not trust (${(error as Error).message}). Add its CA certificate (PEM) to the config's certificates list, or to the system's trust store.`, {}, { cause: error });
    }
    const plain = this.plainAllowed ? '' : ' (lambda-pack speaks HTTPS to it; plain HTTP is only for loopback registries and those configured as insecure)';
    return this.failure(`could not be reached for ${doing}: ${(error as Error).message}${plain}`, 'check the address, the network and that the registry runs', error);
  }

  private failure(what: string, fix: string, cause?: unknown): ExternalError {
    return new ExternalError('REGISTRY_UNREACHABLE', `The registry ${this.name} ${what}. Fix: ${fix}.`, { fix }, cause === undefined ? undefined : { cause });
  }
}

export function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The registry's own error codes and messages, as ": CODE message", or "" (the body is consumed). */
async function registryErrors(response: HttpResponse): Promise<string> {
  const body = await readBody(response, 1 << 16).catch(() => Buffer.alloc(0));
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: { code?: string; message?: string }[] };
    const first = parsed.errors?.[0];
    return first ? `: ${[first.code, first.message].filter(Boolean).join(' ')}` : '';
  } catch {
    return '';
  }
}

/** One client per registry name, sharing trust and credentials. */
export class Registries {
  private readonly clients = new Map<string, Registry>();
  constructor(private readonly options: RegistryOptions) {}

  get(name: string): Registry {
    let client = this.clients.get(name);
    if (!client) {
      client = new Registry(name, this.options);
      this.clients.set(name, client);
    }
    return client;
  }
}
