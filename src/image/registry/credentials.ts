// Registry credentials where the docker CLI finds them: $DOCKER_CONFIG/config.json (default
// ~/.docker): credHelpers for the registry, else credsStore, else auths. Helpers run as
// `docker-credential-<name> get` with the server on stdin. Secrets stay in memory: never logged,
// never written, never part of an error message.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, ExternalError } from '../../errors.js';
import { DOCKER_HUB } from '../reference.js';

export interface Credential {
  readonly username?: string;
  readonly password?: string;
  /** An OAuth2 refresh token (`identitytoken`, or a helper's "<token>" user): exchanged at the token service. */
  readonly identityToken?: string;
  /** Where it came from, for messages: never the secret itself. */
  readonly source: string;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** Runs `docker-credential-<helper> get` with `server` on stdin; the helper's stdout, or undefined when it has none for that server. */
export type HelperRunner = (helper: string, server: string) => Promise<string | undefined>;

export interface CredentialOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly runHelper?: HelperRunner;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.DOCKER_CONFIG || path.join(os.homedir(), '.docker'), 'config.json');
}

/** Docker Hub's credentials live under its legacy index URL; every other registry under host[:port]. */
function serverName(registry: string): string {
  return registry === DOCKER_HUB ? 'https://index.docker.io/v1/' : registry;
}

/** A config key as docker reads it: scheme and path dropped ("https://host:5000/v2/" → "host:5000"). */
function hostOfKey(key: string): string {
  if (key === 'https://index.docker.io/v1/' || key === 'index.docker.io' || key === 'docker.io') return DOCKER_HUB;
  return key.replace(/^[a-z]+:\/\//, '').split('/')[0]!;
}

const HELPER_TIMEOUT_MS = 60_000;

export const runCredentialHelper: HelperRunner = (helper, server) => new Promise((resolve, reject) => {
  const program = `docker-credential-${helper}`;
  const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], timeout: HELPER_TIMEOUT_MS });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.on('error', (error) => {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    reject(new ExternalError('CREDENTIAL_HELPER_FAILED', missing
      ? `The docker credential helper ${program} is not on PATH, but ${dockerConfigPath()} names it for ${server}. Install it, or remove it from the config (then docker login ${server}).`
      : `The docker credential helper ${program} could not be started for ${server}: ${(error as Error).message}.`, {}, { cause: error }));
  });
  child.on('close', (code) => {
    const stdout = Buffer.concat(out).toString('utf8').trim();
    if (code === 0) { resolve(stdout); return; }
    // The helpers' protocol: this message means "nothing stored for that server".
    if (/credentials not found/i.test(stdout) || /credentials not found/i.test(Buffer.concat(err).toString('utf8'))) { resolve(undefined); return; }
    const said = Buffer.concat(err).toString('utf8').trim().split('\n')[0]?.slice(0, 200) || stdout.split('\n')[0]?.slice(0, 200) || '';
    reject(new ExternalError('CREDENTIAL_HELPER_FAILED', `The docker credential helper ${program} failed for ${server} (exit ${code})${said ? `: ${said}` : ''}. Check that \`echo ${server} | ${program} get\` works (for ECR, that your AWS credentials are valid).`, { exitCode: code ?? -1 }));
  });
  child.stdin.end(server);
});

async function fromHelper(helper: string, registry: string, file: string, how: string, run: HelperRunner): Promise<Credential | undefined> {
  const server = serverName(registry);
  const output = await run(helper, server);
  if (output === undefined) return undefined;
  const source = `docker-credential-${helper} (${how} in ${file})`;
  let parsed: { Username?: string; Secret?: string };
  try { parsed = JSON.parse(output) as typeof parsed; } catch {
    throw new ExternalError('CREDENTIAL_HELPER_FAILED', `The docker credential helper docker-credential-${helper} answered something other than JSON for ${server}. Check that \`echo ${server} | docker-credential-${helper} get\` prints {"Username":…,"Secret":…}.`);
  }
  if (parsed.Username === '<token>') return { identityToken: parsed.Secret ?? '', source };
  return { username: parsed.Username ?? '', password: parsed.Secret ?? '', source };
}

function fromAuths(config: DockerConfigFile, registry: string, file: string): Credential | undefined {
  const key = Object.keys(config.auths ?? {}).sort().find((k) => hostOfKey(k) === registry);
  if (key === undefined) return undefined;
  const entry = config.auths![key]!;
  const source = `auths["${key}"] in ${file}`;
  if (entry.identitytoken) return { identityToken: entry.identitytoken, source };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new ConfigError('DOCKER_CONFIG_INVALID', `${file}: ${source.split(' in ')[0]}.auth is not base64 of "user:password". Run docker login ${registry} again.`, { file, field: `auths.${key}.auth`, fix: `docker login ${registry}` });
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source };
  }
  if (entry.username !== undefined) return { username: entry.username, password: entry.password ?? '', source };
  return undefined;
}

/** The credential for `registry` (host[:port]), or undefined for anonymous access. */
export async function findCredential(registry: string, options: CredentialOptions = {}): Promise<Credential | undefined> {
  const file = dockerConfigPath(options.env);
  let text: string;
  try { text = await readFile(file, 'utf8'); } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ExternalError('DOCKER_CONFIG_UNREADABLE', `Cannot read ${file}: ${(error as Error).message}. Make it readable, or point DOCKER_CONFIG at another directory.`, {}, { cause: error });
  }
  let config: DockerConfigFile;
  try { config = JSON.parse(text) as DockerConfigFile; } catch (error) {
    throw new ConfigError('DOCKER_CONFIG_INVALID', `${file} is not valid JSON (${(error as Error).message}). Fix it, or run docker login again to rewrite it.`, { file, fix: 'fix the JSON' }, { cause: error });
  }
  const run = options.runHelper ?? runCredentialHelper;
  const helperKey = Object.keys(config.credHelpers ?? {}).sort().find((k) => hostOfKey(k) === registry);
  if (helperKey !== undefined) return fromHelper(config.credHelpers![helperKey]!, registry, file, `credHelpers["${helperKey}"]`, run);
  if (config.credsStore) return fromHelper(config.credsStore, registry, file, 'credsStore', run);
  return fromAuths(config, registry, file);
}
