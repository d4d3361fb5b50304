// Where an engine is and how to reach it, the way the docker CLI finds it: the config, then
// DOCKER_HOST (with DOCKER_TLS_VERIFY / DOCKER_CERT_PATH), then the current Docker context, then
// the platform's socket. TLS material is read here, once; ssh reads its own.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EngineSpec } from '../config/types.js';
import { ConfigError } from '../errors.js';

export interface Tls {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly verify: boolean;
}

export interface Endpoint {
  /** The address as the user would write it (unix:///var/run/docker.sock, tcp://…, ssh://…). */
  readonly address: string;
  /** Where the address came from, for messages: "docker.hosts.arm64", "DOCKER_HOST", 'Docker context "graviton"'. */
  readonly origin: string;
  readonly tls?: Tls;
  /** ssh://: a private key file, passed to ssh as -i (ssh's own configuration and agent apply as well). */
  readonly identityFile?: string;
}

function defaultSocket(): string {
  if (process.platform === 'win32') return 'npipe:////./pipe/docker_engine';
  const candidates = ['/var/run/docker.sock', path.join(os.homedir(), '.docker/run/docker.sock'), path.join(os.homedir(), '.colima/default/docker.sock')];
  return `unix://${candidates.find((c) => existsSync(c)) ?? candidates[0]}`;
}

function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker');
}

function readTls(dir: string, verify: boolean): Tls {
  const read = (name: string) => existsSync(path.join(dir, name)) ? readFileSync(path.join(dir, name)) : undefined;
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem'), verify };
}

/** The context the docker CLI would use: DOCKER_CONTEXT, else config.json's currentContext. */
function currentContext(env: NodeJS.ProcessEnv): { name: string; origin: string } | undefined {
  if (env.DOCKER_CONTEXT) return { name: env.DOCKER_CONTEXT, origin: 'DOCKER_CONTEXT' };
  try {
    const config = JSON.parse(readFileSync(path.join(dockerConfigDir(env), 'config.json'), 'utf8')) as { currentContext?: string };
    if (config.currentContext) return { name: config.currentContext, origin: `${path.join(dockerConfigDir(env), 'config.json')} (currentContext)` };
  } catch { /* no CLI config: no context */ }
  return undefined;
}

/** A Docker context's endpoint, from the CLI's context store (meta.json, and tls/ beside it). */
export function contextEndpoint(name: string, origin: string, env: NodeJS.ProcessEnv): Endpoint {
  if (name === 'default') return envEndpoint({ ...env, DOCKER_CONTEXT: undefined }, false);
  const id = createHash('sha256').update(name).digest('hex');
  const store = path.join(dockerConfigDir(env), 'contexts');
  let meta: { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } };
  try {
    meta = JSON.parse(readFileSync(path.join(store, 'meta', id, 'meta.json'), 'utf8'));
  } catch (error) {
    throw new ConfigError('DOCKER_CONTEXT_UNKNOWN', `${origin} names the Docker context "${name}", but ${path.join(store, 'meta')} has no such context (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). ` +
      'List them with `docker context ls`; create it with `docker context create`, or name another.', { field: origin, fix: 'docker context ls' }, { cause: error });
  }
  const endpoint = meta.Endpoints?.docker;
  if (!endpoint?.Host) {
    throw new ConfigError('DOCKER_CONTEXT_UNKNOWN', `The Docker context "${name}" (${origin}) has no docker endpoint. Recreate it with \`docker context create ${name} --docker host=…\`.`, { field: origin });
  }
  const tlsDir = path.join(store, 'tls', id, 'docker');
  const tls = existsSync(tlsDir) ? readTls(tlsDir, !endpoint.SkipTLSVerify) : undefined;
  return { address: endpoint.Host, origin: `Docker context "${name}"`, tls };
}

/** The engine the docker CLI would use, from the environment alone. */
function envEndpoint(env: NodeJS.ProcessEnv, useContext = true): Endpoint {
  if (env.DOCKER_HOST) {
    const tlsOn = !!env.DOCKER_TLS_VERIFY || !!env.DOCKER_TLS;
    const tls = tlsOn ? readTls(env.DOCKER_CERT_PATH ?? dockerConfigDir(env), !!env.DOCKER_TLS_VERIFY) : undefined;
    return { address: env.DOCKER_HOST, origin: 'DOCKER_HOST', tls };
  }
  const context = useContext ? currentContext(env) : undefined;
  if (context && context.name !== 'default') return contextEndpoint(context.name, context.origin, env);
  return { address: defaultSocket(), origin: 'the default socket' };
}

function readConfigured(file: string | undefined): Buffer | undefined {
  return file === undefined ? undefined : readFileSync(file);
}

/** Where the engine of a config entry (or, without one, of the environment) is. */
export function resolveEndpoint(spec: EngineSpec | undefined, env: NodeJS.ProcessEnv = process.env): Endpoint {
  if (!spec) return envEndpoint(env);
  if (spec.context !== undefined) return contextEndpoint(spec.context, spec.field, env);
  const tls = spec.tls && { ca: readConfigured(spec.tls.ca), cert: readConfigured(spec.tls.cert), key: readConfigured(spec.tls.key), verify: spec.tls.verify };
  return { address: spec.host!, origin: spec.field, tls, identityFile: spec.identityFile };
}

/** A tcp:// (http://, https://) engine's host and port, and whether it speaks TLS (default port 2376, else 2375). */
export function tcpTarget(address: string, tls: Tls | undefined): { host: string; port: number; secure: boolean } | undefined {
  const url = new URL(address);
  if (!['tcp:', 'http:', 'https:'].includes(url.protocol)) return undefined;
  const secure = !!tls || url.protocol === 'https:';
  return { host: url.hostname, port: Number(url.port || (secure ? 2376 : 2375)), secure };
}
