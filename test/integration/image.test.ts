// Container-image packages against real parts: the Docker engine, Debian's docker-registry on
// loopback (plain, and TLS with htpasswd auth), skopeo as an independent reader, docker pull + run.
import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine, type Engine } from '../../src/docker/engine.js';
import { ExternalError } from '../../src/errors.js';
import { resolveBaseImage } from '../../src/image/base.js';
import { BlobStore } from '../../src/image/blob-store.js';
import { checkImage } from '../../src/image/checks.js';
import { buildDockerfile } from '../../src/image/dockerfile.js';
import { imageFromEngine } from '../../src/image/engine-image.js';
import type { FunctionImage } from '../../src/image/function-image.js';
import { loadIntoEngine, writeOciLayout } from '../../src/image/output.js';
import { ensureImageBlobs, pushImage, type PushResult } from '../../src/image/push.js';
import { Registries } from '../../src/image/registry/client.js';
import { findCredential } from '../../src/image/registry/credentials.js';
import { trustFrom } from '../../src/image/registry/http.js';
import { putManifest } from '../../src/image/registry/operations.js';
import { ARCHITECTURES, type ArchName } from '../../src/runtimes.js';
import { requireEngine } from '../helpers/docker.js';
import { FUNCTION_DIR, PROVIDED, functionImage, pushBaseStandIn, type BaseStandIn } from '../helpers/image-function.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { startTokenServer } from '../helpers/token-server.js';
import { BUILDER_USER, ensureBuilderUser } from '../helpers/user.js';

const ARCHS: ArchName[] = ['x86_64', 'arm64'];
const REPO_NAME = 'lambda-pack-test/fn';
const DRIVER = path.join(path.dirname(new URL(import.meta.url).pathname), '../helpers/image-driver.mjs');
const AUTH = { username: 'pusher', password: 'correct horse battery' };

let engine: Engine;
let plain: TestRegistry;
let secure: TestRegistry;
let registries: Registries;
let store: BlobStore;
let work: string;
const bases = {} as Record<ArchName, BaseStandIn>;
const functions = {} as Record<ArchName, { fn: FunctionImage; pushed: PushResult }>;
/** Every engine image this file creates, removed at the end (never anyone else's). */
const engineImages: string[] = [];

const docker = async (args: string[]) => String((await execa('docker', args, { stdin: 'ignore' })).stdout);
const skopeo = async (args: string[]) => String((await execa('skopeo', args, { stdin: 'ignore' })).stdout);

function configOf(fn: FunctionImage) {
  return JSON.parse(Buffer.from(fn.image.config).toString('utf8'));
}

function dockerConfig(content: unknown): string {
  const dir = mkdtempSync(path.join(work, 'docker-config-'));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(content));
  return dir;
}

function registriesWith(configDir: string): Registries {
  return new Registries({ trust: trustFrom([secure.ca!]), credentials: (r) => findCredential(r, { env: { ...process.env, DOCKER_CONFIG: configDir } }) });
}

beforeAll(async () => {
  await requireEngine();
  engine = await connectEngine({ address: 'unix:///var/run/docker.sock', origin: 'the default socket' });
  work = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-image-'));
  store = new BlobStore(path.join(work, 'store'));
  [plain, secure] = await Promise.all([startRegistry(), startRegistry({ tls: true, auth: AUTH })]);
  registries = new Registries({ trust: trustFrom(), credentials: async () => undefined });
  for (const arch of ARCHS) {
    const tag = `lambda-pack-test/image-base:${arch}-${process.pid}`;
    engineImages.push(tag);
    bases[arch] = await pushBaseStandIn(engine, registries, plain.host, arch, store, tag);
  }
}, 300_000);

afterAll(async () => {
  for (const ref of engineImages) await execa('docker', ['rmi', '-f', ref], { reject: false });
  await Promise.all([plain?.close(), secure?.close()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('images lambda-pack assembles', () => {
  it('assembles, pushes and runs an image for each architecture, the base reached through imageMirror', async () => {
    for (const arch of ARCHS) {
      plain.mark();
      const fn = await functionImage(registries, plain.host, arch, store);
      expect(checkImage({
        manifestMediaType: fn.image.manifestMediaType, platform: fn.image.platform, config: configOf(fn), arch: ARCHITECTURES[arch], runtime: PROVIDED,
        layers: fn.image.layers.map((l) => ({ size: l.descriptor.size, ...(l.uncompressedSize ? { uncompressedSize: l.uncompressedSize } : {}) })), tree: fn.tree,
      })).toEqual([]);
      const pushed = await pushImage(registries, fn.image, { registry: plain.host, repository: REPO_NAME, tag: arch }, { store });
      functions[arch] = { fn, pushed };
      expect(pushed.uri).toBe(`${plain.host}/${REPO_NAME}@${fn.image.manifestDigest}`);
      // Each blob went up, was linked from the base's repository, or was there already (arm64 finds
      // the layers it shares with x86_64: the base's empty WORKDIR layer, our arch-neutral scripts).
      const baseDigests = bases[arch].image.layers.map((l) => l.descriptor.digest);
      const all = [...fn.image.layers.map((l) => l.descriptor.digest), fn.image.configDescriptor.digest];
      expect([...pushed.uploaded, ...pushed.mounted, ...pushed.present].sort()).toEqual([...new Set(all)].sort());
      expect(plain.uploads().map((u) => u.digest).sort()).toEqual(pushed.uploaded);
      expect(plain.mounts().map((m) => m.digest).sort()).toEqual(pushed.mounted);
      expect(pushed.uploaded.filter((d) => baseDigests.includes(d))).toEqual([]);
      if (arch === 'x86_64') expect(pushed.uploaded).toEqual([...fn.layers.map((l) => l.digest), fn.image.configDescriptor.digest].sort());

      const raw = JSON.parse(await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${pushed.uri}`]));
      expect(raw.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
      engineImages.push(pushed.uri);
      await docker(['pull', '-q', pushed.uri]);
      const out = await docker(['run', '--rm', '--network', 'none', '--platform', ARCHITECTURES[arch].dockerPlatform, pushed.uri]);
      expect(out.split('\n')).toEqual([
        'handler=function.handler', 'task=/var/task', 'message=hello from the code layer, version 1', 'greet=greetings from /opt',
        `machine=${ARCHITECTURES[arch].gnuArch}`,
      ]);
    }
  }, 300_000);

  it('uploads no blob when the same image is pushed again', async () => {
    const again = await functionImage(registries, plain.host, 'x86_64', store);
    expect(again.image.manifestDigest).toBe(functions.x86_64.fn.image.manifestDigest);
    plain.mark();
    const pushed = await pushImage(registries, again.image, { registry: plain.host, repository: REPO_NAME, tag: 'x86_64' }, { store });
    expect([plain.uploads(), plain.mounts(), pushed.uploaded, pushed.mounted]).toEqual([[], [], [], []]);
    expect(pushed.present).toHaveLength(again.image.layers.length + 1);
  });

  it('uploads exactly one layer (and the config) after a code-only change', async () => {
    const copy = path.join(work, 'changed');
    cpSync(FUNCTION_DIR, copy, { recursive: true });
    writeFileSync(path.join(copy, 'code/lib/message.txt'), 'hello from the code layer, version 2\n');
    const changed = await functionImage(registries, plain.host, 'x86_64', store, copy);
    const before = functions.x86_64.fn.image;
    expect(changed.image.layers.slice(0, -1)).toEqual(before.layers.slice(0, -1));
    expect(changed.image.layers.at(-1)!.descriptor.digest).not.toBe(before.layers.at(-1)!.descriptor.digest);
    plain.mark();
    const pushed = await pushImage(registries, changed.image, { registry: plain.host, repository: REPO_NAME, tag: 'x86_64' }, { store });
    expect(plain.uploads().map((u) => u.digest).sort()).toEqual([changed.layers.at(-1)!.digest, changed.image.configDescriptor.digest].sort());
    expect(pushed.uploadedBytes).toBe(changed.layers.at(-1)!.size + changed.image.configDescriptor.size);
  });

  it('gives the same digest when another user assembles it with a fresh cache and restrictive modes', async () => {
    await ensureBuilderUser();
    const home = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-image-user-'));
    try {
      chmodSync(home, 0o755);
      cpSync(FUNCTION_DIR, path.join(home, 'fn'), { recursive: true });
      // The user's umask would give 0600/0700: the layers must not care.
      await execa('chmod', ['-R', 'go-rwx', path.join(home, 'fn')]);
      await execa('chown', ['-R', `${BUILDER_USER}:${BUILDER_USER}`, home]);
      const { stdout } = await execa('su', [BUILDER_USER, '-s', '/bin/sh', '-c',
        `umask 077 && LAMBDA_PACK_CACHE_DIR='${home}/cache' node '${DRIVER}' '${plain.host}' x86_64 '${home}/fn'`]);
      const result = JSON.parse(stdout) as { digest: string; layers: string[] };
      expect(result).toEqual({ digest: functions.x86_64.fn.image.manifestDigest, layers: functions.x86_64.fn.layers.map((l) => l.digest) });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('writes an OCI layout skopeo reads, and loads into the engine so docker run works', async () => {
    const { fn } = functions.x86_64;
    await ensureImageBlobs(registries, fn.image, store);
    const layout = path.join(work, 'out', 'fn-x86_64.oci');
    await writeOciLayout(fn.image, store, layout, 'x86_64');
    expect(JSON.parse(await skopeo(['inspect', `oci:${layout}:x86_64`])).Digest).toBe(fn.image.manifestDigest);
    const tag = `lambda-pack-test/fn-loaded:x86_64-${process.pid}`;
    engineImages.push(tag);
    expect(await loadIntoEngine(engine, fn.image, store, tag)).toBe(fn.image.configDescriptor.digest);
    expect(await docker(['run', '--rm', '--network', 'none', tag])).toMatch(/^handler=function.handler\ntask=\/var\/task\n/);
  }, 120_000);

  it('resolves an index to the linux/<arch> image, skipping attestations', async () => {
    const entry = (base: BaseStandIn, platform: Record<string, string>, annotations?: Record<string, string>) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: base.pushed.digest, size: base.image.manifest.length, platform, ...(annotations ? { annotations } : {}),
    });
    const index = new TextEncoder().encode(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [
        entry(bases.x86_64, { os: 'unknown', architecture: 'unknown' }, { 'vnd.docker.reference.type': 'attestation-manifest' }),
        entry(bases.x86_64, { os: 'linux', architecture: 'amd64' }),
        entry(bases.arm64, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
      ],
    }));
    await putManifest(registries.get(plain.host), 'ecr-public/lambda/provided', 'al2023', index, 'application/vnd.oci.image.index.v1+json');
    for (const arch of ARCHS) {
      expect((await resolveBaseImage(registries, `${plain.host}/ecr-public/lambda/provided:al2023`, ARCHITECTURES[arch])).digest).toBe(bases[arch].pushed.digest);
    }
  });
});

describe('registry credentials', () => {
  it('pushes to a TLS registry with htpasswd auth, credentials from config.json auths, large layers in chunks', async () => {
    const config = dockerConfig({ auths: { [`https://${secure.host}`]: { auth: Buffer.from(`${AUTH.username}:${AUTH.password}`).toString('base64') } } });
    const { fn } = functions.x86_64;
    secure.mark();
    // The base lives in the other registry: its layers are fetched (digest-checked) and uploaded, the large one in 64 MiB PATCHes.
    const fresh = new BlobStore(path.join(work, 'fresh-store'));
    for (const layer of fn.layers) await store.exportTo(layer.digest, fresh);
    const pushed = await pushImage(registriesWith(config), fn.image, { registry: secure.host, repository: REPO_NAME, tag: 'x86_64' },
      { store: fresh, upload: { monolithicLimit: 1 << 20, chunkSize: 64 << 20 } });
    expect(pushed.uploaded).toHaveLength(fn.image.layers.length + 1);
    expect(secure.uploads()).toHaveLength(fn.image.layers.length + 1);
    const large = fn.image.layers.filter((l) => l.descriptor.size > 1 << 20).reduce((n, l) => n + Math.ceil(l.descriptor.size / (64 << 20)), 0);
    expect(large).toBeGreaterThan(1);
    expect(secure.patches()).toBe(large);
    const certs = mkdtempSync(path.join(work, 'certs-'));
    cpSync(secure.ca!, path.join(certs, 'ca.crt'));
    const inspected = JSON.parse(await skopeo(['inspect', '--cert-dir', certs, '--creds', `${AUTH.username}:${AUTH.password}`, `docker://${secure.host}/${REPO_NAME}:x86_64`]));
    expect(inspected.Digest).toBe(fn.image.manifestDigest);
  }, 120_000);

  it('takes credentials from the credential helper credHelpers names, the registry on its stdin', async () => {
    const bin = mkdtempSync(path.join(work, 'bin-'));
    const asked = path.join(bin, 'asked');
    writeFileSync(path.join(bin, 'docker-credential-lptest'), [
      '#!/bin/sh', `read -r server; printf '%s' "$server" > '${asked}'`,
      `[ "$server" = '${secure.host}' ] || { echo 'credentials not found in native keychain'; exit 1; }`,
      `printf '{"ServerURL":"%s","Username":"${AUTH.username}","Secret":"${AUTH.password}"}' "$server"`, '',
    ].join('\n'), { mode: 0o755 });
    const config = dockerConfig({ credHelpers: { [secure.host]: 'lptest' } });
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}:${savedPath}`;
    try {
      secure.mark();
      const pushed = await pushImage(registriesWith(config), functions.x86_64.fn.image, { registry: secure.host, repository: REPO_NAME, tag: 'x86_64' }, { store });
      expect([pushed.uploaded, secure.uploads()]).toEqual([[], []]);
      expect(pushed.uri).toBe(`${secure.host}/${REPO_NAME}@${functions.x86_64.fn.image.manifestDigest}`);
    } finally {
      process.env.PATH = savedPath;
    }
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(asked, 'utf8')).toBe(secure.host);
  });

  it('refuses wrong or missing credentials in one paragraph naming the registry, where they came from, and the fix', async () => {
    const wrong = dockerConfig({ auths: { [secure.host]: { auth: Buffer.from(`${AUTH.username}:not-the-password`).toString('base64') } } });
    const push = (config: string) => pushImage(registriesWith(config), functions.x86_64.fn.image, { registry: secure.host, repository: REPO_NAME, tag: 'x86_64' }, { store })
      .then(() => undefined, (error: unknown) => error);
    const refused = await push(wrong);
    expect(refused).toBeInstanceOf(ExternalError);
    expect(refused).toMatchObject({ code: 'REGISTRY_UNAUTHORIZED' });
    const message = (refused as Error).message;
    expect(message).toContain(`The registry ${secure.host} refused`);
    expect(message).toContain(`auths["${secure.host}"] in ${path.join(wrong, 'config.json')}`);
    expect(message).toContain(`docker login ${secure.host}`);
    expect(message).not.toContain('not-the-password');
    expect(message).not.toContain('\n');
    const missing = await push(dockerConfig({}));
    expect((missing as Error).message).toMatch(new RegExp(`No credentials for ${secure.host.replace(/\./g, '\\.')} were found .*docker login`));
  });
  it('follows the Bearer token flow: tokens per scope from the realm, mounts across repositories, identity tokens', async () => {
    const user = { ...AUTH, refreshToken: 'refresh-token-for-the-test' };
    const tokens = await startTokenServer(work, user);
    const bearer = await startRegistry({ token: tokens });
    try {
      const withConfig = (content: unknown) => {
        const config = dockerConfig(content);
        return new Registries({ trust: trustFrom(), credentials: (r) => findCredential(r, { env: { ...process.env, DOCKER_CONFIG: config } }) });
      };
      const basic = withConfig({ auths: { [bearer.host]: { auth: Buffer.from(`${AUTH.username}:${AUTH.password}`).toString('base64') } } });
      // The base under its official name in this registry (as an ECR pull-through cache keeps it), the function beside it.
      await pushImage(basic, bases.x86_64.image, { registry: bearer.host, repository: 'ecr-public/lambda/provided', tag: 'al2023-x86_64' }, { store });
      const fn = await functionImage(basic, bearer.host, 'x86_64', store);
      expect(fn.image.manifestDigest).toBe(functions.x86_64.fn.image.manifestDigest);
      bearer.mark();
      const pushed = await pushImage(basic, fn.image, { registry: bearer.host, repository: REPO_NAME, tag: 'x86_64' }, { store });
      expect(pushed.mounted).toEqual(bases.x86_64.image.layers.map((l) => l.descriptor.digest).sort());
      expect(bearer.mounts()).toHaveLength(pushed.mounted.length);
      expect(tokens.requests).toContainEqual([`repository:${REPO_NAME}:pull,push`, 'repository:ecr-public/lambda/provided:pull']);

      const viaIdentityToken = await pushImage(withConfig({ auths: { [bearer.host]: { identitytoken: user.refreshToken } } }), fn.image,
        { registry: bearer.host, repository: REPO_NAME, tag: 'x86_64' }, { store });
      expect(viaIdentityToken.present).toHaveLength(fn.image.layers.length + 1);

      const refused = await pushImage(withConfig({ auths: { [bearer.host]: { auth: Buffer.from(`${AUTH.username}:wrong`).toString('base64') } } }), fn.image,
        { registry: bearer.host, repository: REPO_NAME, tag: 'x86_64' }, { store }).then(() => undefined, (error: unknown) => error as Error);
      expect(refused).toMatchObject({ code: 'REGISTRY_UNAUTHORIZED', message: expect.stringContaining(`The token service of ${bearer.host} (http://127.0.0.1:`) });
      expect(refused!.message).toContain(`docker login ${bearer.host}`);
    } finally {
      await bearer.close();
      await tokens.close();
    }
  }, 120_000);
});

describe('images from a Dockerfile', () => {
  it('builds for arm64 through the engine API, checked linux/arm64, and pushes one single-platform manifest', async () => {
    const { built, pushed } = bases.arm64;
    expect((JSON.parse(await docker(['image', 'inspect', built.ref])) as { Architecture: string }[])[0]!.Architecture).toBe('arm64');
    const raw = JSON.parse(await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${pushed.uri}`]));
    expect(raw.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(JSON.parse(await skopeo(['inspect', '--config', '--tls-verify=false', `docker://${pushed.uri}`])).architecture).toBe('arm64');

    // A Dockerfile FROM the base in the registry: the base's compressed layers are reused, only the new one goes up.
    const context = mkdtempSync(path.join(work, 'context-'));
    cpSync(path.join(FUNCTION_DIR, 'code'), path.join(context, 'code'), { recursive: true });
    writeFileSync(path.join(context, 'Dockerfile'), `FROM ${bases.arm64.mirrored}\nCOPY code/ /var/task/\nCMD ["function.handler"]\n`);
    const tag = `lambda-pack-test/fn-dockerfile:arm64-${process.pid}`;
    engineImages.push(tag, bases.arm64.mirrored);
    const image = await buildDockerfile(engine, { context, arch: ARCHITECTURES.arm64, tag });
    const base = await resolveBaseImage(registries, bases.arm64.mirrored, ARCHITECTURES.arm64);
    const saved = await imageFromEngine(engine, image.ref, store, { arch: ARCHITECTURES.arm64, base });
    expect(saved.configDescriptor.digest).toBe(image.id);
    expect(saved.layers.map((l) => l.origin.kind)).toEqual([...base.manifest.layers.map(() => 'base'), 'built']);
    plain.mark();
    const result = await pushImage(registries, saved, { registry: plain.host, repository: 'lambda-pack-test/fn-dockerfile', tag: 'arm64' }, { store });
    expect(plain.uploads().map((u) => u.digest).sort()).toEqual([saved.layers.at(-1)!.descriptor.digest, saved.configDescriptor.digest].sort());
    expect(result.mounted).toEqual(base.manifest.layers.map((l) => l.digest).sort());
  }, 180_000);

  it('refuses a build whose result is not the task\'s platform', async () => {
    const tag = `lambda-pack-test/wrong-platform:${process.pid}`;
    engineImages.push(tag);
    await expect(buildDockerfile(engine, {
      context: path.join(FUNCTION_DIR, '../image-base'), buildArgs: { BASE: 'lambda-pack-local/debian-base:bookworm-arm64' }, arch: ARCHITECTURES.x86_64, tag,
    })).rejects.toMatchObject({ code: 'IMAGE_WRONG_ARCH', message: expect.stringContaining('linux/arm64, but this task builds for x86_64') });
  });
});
