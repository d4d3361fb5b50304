import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveEndpoint } from '../../src/docker/endpoint.js';
import { ConfigError } from '../../src/errors.js';

const dirs: string[] = [];
function dockerConfig(contexts: Record<string, { host: string; skipVerify?: boolean; tls?: boolean }>, current?: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-docker-config-'));
  dirs.push(dir);
  if (current) writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ currentContext: current }));
  for (const [name, context] of Object.entries(contexts)) {
    const id = createHash('sha256').update(name).digest('hex');
    mkdirSync(path.join(dir, 'contexts/meta', id), { recursive: true });
    writeFileSync(path.join(dir, 'contexts/meta', id, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: context.host, SkipTLSVerify: !!context.skipVerify } } }));
    if (context.tls) {
      mkdirSync(path.join(dir, 'contexts/tls', id, 'docker'), { recursive: true });
      for (const file of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(dir, 'contexts/tls', id, 'docker', file), `${name} ${file}`);
    }
  }
  return dir;
}

afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }); });

describe('which engine, the way the docker CLI decides', () => {
  it('takes DOCKER_HOST first, with TLS material from DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set', () => {
    const certs = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-certs-'));
    dirs.push(certs);
    for (const file of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(certs, file), file);
    const endpoint = resolveEndpoint(undefined, { DOCKER_HOST: 'tcp://build:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs });
    expect(endpoint).toMatchObject({ address: 'tcp://build:2376', origin: 'DOCKER_HOST' });
    expect(endpoint.tls?.verify).toBe(true);
    expect(endpoint.tls?.ca?.toString()).toBe('ca.pem');
    expect(resolveEndpoint(undefined, { DOCKER_HOST: 'tcp://build:2375' }).tls).toBeUndefined();
  });

  it('follows the current Docker context (config.json, or DOCKER_CONTEXT over it), with its TLS files', () => {
    const config = dockerConfig({ graviton: { host: 'ssh://ec2-user@graviton' }, secure: { host: 'tcp://10.0.0.5:2376', tls: true } }, 'graviton');
    expect(resolveEndpoint(undefined, { DOCKER_CONFIG: config })).toMatchObject({ address: 'ssh://ec2-user@graviton', origin: 'Docker context "graviton"' });
    const secure = resolveEndpoint(undefined, { DOCKER_CONFIG: config, DOCKER_CONTEXT: 'secure' });
    expect(secure.address).toBe('tcp://10.0.0.5:2376');
    expect(secure.tls?.cert?.toString()).toBe('secure cert.pem');
    expect(secure.tls?.verify).toBe(true);
    // DOCKER_HOST wins over any context, as it does for the docker CLI.
    expect(resolveEndpoint(undefined, { DOCKER_CONFIG: config, DOCKER_HOST: 'unix:///tmp/d.sock' }).address).toBe('unix:///tmp/d.sock');
  });

  it('uses a context or an address named in the config, before the environment', () => {
    const config = dockerConfig({ arm: { host: 'tcp://arm:2376', tls: true, skipVerify: true } });
    const fromContext = resolveEndpoint({ field: 'docker.hosts.arm64', context: 'arm' }, { DOCKER_CONFIG: config, DOCKER_HOST: 'unix:///x.sock' });
    expect(fromContext).toMatchObject({ address: 'tcp://arm:2376', origin: 'Docker context "arm"' });
    expect(fromContext.tls?.verify).toBe(false);
    expect(resolveEndpoint({ field: 'docker.hosts.arm64', host: 'ssh://me@arm' }, { DOCKER_HOST: 'unix:///x.sock' }))
      .toMatchObject({ address: 'ssh://me@arm', origin: 'docker.hosts.arm64' });
  });

  it('says which context is missing and how to list them', () => {
    const config = dockerConfig({});
    expect(() => resolveEndpoint({ field: 'docker.hosts.arm64', context: 'nope' }, { DOCKER_CONFIG: config })).toThrow(ConfigError);
    expect(() => resolveEndpoint({ field: 'docker.hosts.arm64', context: 'nope' }, { DOCKER_CONFIG: config })).toThrow(/docker\.hosts\.arm64 names the Docker context "nope".*docker context ls/);
  });

  it('falls back to the platform socket, and treats the "default" context as no context', () => {
    const config = dockerConfig({}, 'default');
    expect(resolveEndpoint(undefined, { DOCKER_CONFIG: config })).toMatchObject({ origin: 'the default socket' });
    expect(resolveEndpoint(undefined, { DOCKER_CONFIG: config }).address).toMatch(/^unix:\/\//);
  });
});
