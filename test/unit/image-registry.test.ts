import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dockerignore } from '../../src/image/dockerfile.js';
import { basicHeader, parseChallenge } from '../../src/image/registry/auth.js';
import { findCredential, type HelperRunner } from '../../src/image/registry/credentials.js';

describe('auth challenges', () => {
  it('reads Bearer realm, service and scope, and Basic', () => {
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"')).toEqual({
      scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' },
    });
    expect(parseChallenge('Basic realm="lambda-pack-test"')).toEqual({ scheme: 'basic', params: { realm: 'lambda-pack-test' } });
    expect(parseChallenge('bearer realm=https://x.example/t, service=x')).toEqual({ scheme: 'bearer', params: { realm: 'https://x.example/t', service: 'x' } });
    expect(parseChallenge('Negotiate abc')).toBeUndefined();
    expect(parseChallenge(undefined)).toBeUndefined();
  });

  it('encodes Basic credentials as user:password in base64', () => {
    expect(basicHeader({ username: 'AWS', password: 'p:w', source: 'x' })).toBe(`Basic ${Buffer.from('AWS:p:w').toString('base64')}`);
  });
});

describe('docker credentials', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const calls: string[] = [];
  const helper: HelperRunner = async (name, server) => {
    calls.push(`${name} ${server}`);
    if (name === 'none') return undefined;
    return JSON.stringify(name === 'token' ? { Username: '<token>', Secret: 'refresh-me' } : { Username: 'AWS', Secret: `from-${name}` });
  };
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'docker-config-'));
    env = { DOCKER_CONFIG: dir };
    calls.length = 0;
  });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });
  const config = (value: unknown) => writeFile(path.join(dir, 'config.json'), JSON.stringify(value));

  it('reads auths (base64 user:password), matching keys written with a scheme or a path', async () => {
    await config({ auths: { 'https://127.0.0.1:5000/v2/': { auth: Buffer.from('alice:s3cr:et').toString('base64') } } });
    expect(await findCredential('127.0.0.1:5000', { env, runHelper: helper })).toEqual({ username: 'alice', password: 's3cr:et', source: `auths["https://127.0.0.1:5000/v2/"] in ${path.join(dir, 'config.json')}` });
    expect(await findCredential('127.0.0.1:5001', { env, runHelper: helper })).toBeUndefined();
  });

  it('asks credHelpers for their registry before credsStore, and credsStore before auths', async () => {
    await config({ credHelpers: { '1234.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' }, credsStore: 'desktop', auths: { 'other.example': { auth: Buffer.from('a:b').toString('base64') } } });
    expect(await findCredential('1234.dkr.ecr.eu-west-1.amazonaws.com', { env, runHelper: helper })).toMatchObject({ username: 'AWS', password: 'from-ecr-login' });
    expect(await findCredential('other.example', { env, runHelper: helper })).toMatchObject({ password: 'from-desktop' });
    expect(await findCredential('docker.io', { env, runHelper: helper })).toMatchObject({ password: 'from-desktop' });
    expect(calls).toEqual(['ecr-login 1234.dkr.ecr.eu-west-1.amazonaws.com', 'desktop other.example', 'desktop https://index.docker.io/v1/']);
  });

  it('takes a helper\'s <token> user as an identity token, and nothing found as anonymous', async () => {
    await config({ credHelpers: { 'a.example': 'token', 'b.example': 'none' } });
    expect(await findCredential('a.example', { env, runHelper: helper })).toMatchObject({ identityToken: 'refresh-me' });
    expect(await findCredential('b.example', { env, runHelper: helper })).toBeUndefined();
  });

  it('is anonymous without a config file, and names the file when it is not JSON', async () => {
    expect(await findCredential('x.example', { env, runHelper: helper })).toBeUndefined();
    await writeFile(path.join(dir, 'config.json'), '{ "auths": ');
    await expect(findCredential('x.example', { env, runHelper: helper })).rejects.toMatchObject({ code: 'DOCKER_CONFIG_INVALID', message: expect.stringContaining(path.join(dir, 'config.json')) });
  });

  it('never puts a secret in an error message', async () => {
    await config({ auths: { 'x.example': { auth: Buffer.from('no-colon-secret').toString('base64') } } });
    const error = await findCredential('x.example', { env, runHelper: helper }).catch((e: Error) => e);
    expect(String((error as Error).message)).not.toContain('no-colon-secret');
  });
});

describe('.dockerignore', () => {
  it('excludes a match and everything below it, re-includes with !, and ignores comments', () => {
    const ignored = dockerignore('# build output\nnode_modules\n*.md\n!README.md\n/tmp/\n**/*.pyc\n');
    expect(['node_modules', 'node_modules/x/index.js', 'notes.md', 'tmp/a', 'src/x.pyc', 'a/b/c.pyc'].filter(ignored)).toHaveLength(6);
    expect(['README.md', 'src/index.js', 'docs/a.md'].map(ignored)).toEqual([false, false, false]);
  });
});
