// An engine per architecture: the demo's arm64 tasks go to a second, real engine reached over TCP
// with TLS client certificates (docker.hosts.arm64), x86_64 to the default one. The engines' own
// events prove where each container ran; the zips match a single-engine build byte for byte; an
// arm64 engine that does not answer fails the arm64 tasks only.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import { freePort, tcpProxy } from '../helpers/net.js';
import { tempProject } from '../helpers/project.js';
import { secondEngine } from '../helpers/second-engine.js';
import { sha256 } from '../helpers/zip.js';
import type { Manifest } from '../../src/package/manifest.js';

const DEMO = path.join(REPO, 'fixtures/demo');
const DEMO_CONFIG = readFileSync(path.join(DEMO, 'lambda-pack.config.yaml'), 'utf8');
const engine2 = secondEngine({ tls: true });
const work = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-engines-'));
/** Configs beside the demo's own, so its relative paths hold; removed afterwards. */
const configs: string[] = [];

function demoConfig(name: string, docker: string): string {
  const file = path.join(DEMO, `lambda-pack.${name}-${process.pid}.yaml`);
  writeFileSync(file, `${DEMO_CONFIG}\ndocker:\n${docker}`);
  configs.push(file);
  return file;
}

const routedConfig = () => demoConfig('routed', `  hosts:\n    arm64:\n      host: ${engine2.tcp!.address}\n      certPath: ${engine2.tcp!.certPath}\n`);

/**
 * Records the names of the containers an engine creates while it runs (a live `docker events`:
 * the engine keeps only its last few hundred events, so asking afterwards can miss the first).
 */
function watchCreated(dockerHost?: string) {
  const names: string[] = [];
  const events = execa('docker', ['events', '--filter', 'type=container', '--filter', 'event=create', '--format', '{{.Actor.Attributes.name}}'],
    { env: dockerHost ? { DOCKER_HOST: dockerHost } : {}, reject: false, buffer: false });
  events.stdout!.on('data', (chunk: Buffer) => names.push(...chunk.toString().split('\n').filter(Boolean)));
  return {
    async stop(): Promise<string[]> {
      await new Promise((r) => setTimeout(r, 1000));
      events.kill();
      await events;
      return names;
    },
  };
}

const zipsOf = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.zip')).sort();

let routed: { out: string; stderr: string; manifest: Manifest; onMain: string[]; onSecond: string[] };

beforeAll(async () => {
  await requireEngine();
  await engine2.start();
  // The routed build: a cache of its own, so every arm64 install really runs on the second engine,
  // which starts with no images (lambda-pack copies the local ones over from the default engine).
  const out = path.join(work, 'routed');
  const [main, second] = [watchCreated(), watchCreated(engine2.host)];
  const result = await lambdaPack(['build', '--config', routedConfig(), '--out', out, '--verbose'],
    { cwd: DEMO, env: { LAMBDA_PACK_CACHE_DIR: path.join(work, 'routed-cache') } });
  const [onMain, onSecond] = [await main.stop(), await second.stop()];
  expect(result.exitCode, result.stderr.slice(-4000)).toBe(0);
  routed = { out, stderr: result.stderr, manifest: JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')), onMain, onSecond };
}, 1_800_000);

afterAll(async () => {
  for (const file of configs) rmSync(file, { force: true });
  await engine2.destroy();
  rmSync(work, { recursive: true, force: true });
}, 120_000);

describe('an engine per architecture (docker.hosts)', () => {
  it('shows in the plan which engine each task uses, and what machine it runs on', async () => {
    const result = await lambdaPack(['plan', '--json', '--config', routedConfig()], { cwd: DEMO });
    expect(result.exitCode, result.stderr).toBe(0);
    const tasks = JSON.parse(result.stdout).tasks as { id: string; arch: string; engine: { name?: string; arch: string }; install: unknown }[];
    for (const task of tasks.filter((t) => t.install !== null)) {
      if (task.arch === 'arm64') expect(task.engine.name).toBe(`${engine2.tcp!.address} (docker.hosts.arm64)`);
      else expect(task.engine.name).toMatch(/^unix:\/\/.*docker\.sock \(/);
      expect(task.engine.arch).toBe('x86_64');
    }
    const human = await lambdaPack(['plan', '--config', routedConfig()], { cwd: DEMO });
    expect(human.stderr).toContain('ENGINE');
    expect(human.stderr).toContain(engine2.tcp!.address);
  });

  it('reaches an engine through a Docker context made by the docker CLI, TLS files included', async () => {
    const dockerConfig = path.join(work, 'docker-config');
    const { certPath } = engine2.tcp!;
    await execa('docker', ['context', 'create', 'lambda-pack-test', '--docker',
      `host=${engine2.tcp!.address},ca=${certPath}/ca.pem,cert=${certPath}/cert.pem,key=${certPath}/key.pem`], { env: { DOCKER_CONFIG: dockerConfig } });
    const config = demoConfig('context', '  hosts:\n    arm64: { context: lambda-pack-test }\n');
    const result = await lambdaPack(['plan', '--json', '--arch', 'arm64', '--config', config], { cwd: DEMO, env: { DOCKER_CONFIG: dockerConfig } });
    expect(result.exitCode, result.stderr).toBe(0);
    const tasks = (JSON.parse(result.stdout).tasks as { engine: { name?: string }; install: unknown; action: string }[]).filter((t) => t.install !== null);
    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks) {
      expect(task.engine.name).toBe(`${engine2.tcp!.address} (Docker context "lambda-pack-test")`);
      expect(task.action).not.toBe('unknown');
    }
  });

  it('runs the arm64 containers on the arm64 engine only, and the x86_64 ones on the default engine only', async () => {
    // Build containers only (an image built there from a recipe has its own, unnamed ones).
    // (load checks and the cache volume's chmod have containers of their own, named apart)
    const install = (name: string) => name.startsWith('lambda-pack-') && !name.startsWith('lambda-pack-init-') && !/-cache-(x86_64|arm64)-[0-9a-f]{6}$/.test(name);
    const onSecond = routed.onSecond.filter(install);
    const runIds = new Set(onSecond.map((name) => /^lambda-pack-([0-9a-f]{12})-/.exec(name)?.[1]));
    expect(runIds.size, onSecond.join('\n')).toBe(1);
    const [runId] = [...runIds];
    const armTasks = routed.manifest.artifacts.filter((a) => a.arch === 'arm64' && a.image).map((a) => `lambda-pack-${runId}-${a.name}-arm64`);
    expect(onSecond.sort()).toEqual(armTasks.sort());
    const onMain = routed.onMain.filter((name) => name.includes(runId!) && install(name));
    const x86Tasks = routed.manifest.artifacts.filter((a) => a.arch === 'x86_64' && a.image).map((a) => `lambda-pack-${runId}-${a.name}-x86_64`);
    expect(onMain.sort()).toEqual(x86Tasks.sort());
    // The second engine had none of the local images: they were copied from the default engine.
    expect(routed.stderr).toMatch(/copying lambda-pack-local\/\S+ from the engine at unix:\/\//);
    expect((await engine2.docker(['ps', '-aq'])).trim()).toBe('');
  });

  it('gives the same bytes as a single-engine build', async () => {
    const single = path.join(work, 'single');
    const result = await lambdaPack(['build', '--out', single], { cwd: DEMO });
    expect(result.exitCode, result.stderr.slice(-4000)).toBe(0);
    expect(zipsOf(routed.out)).toEqual(zipsOf(single));
    expect(zipsOf(single)).toHaveLength(22);
    for (const zip of zipsOf(single)) {
      expect(await sha256(path.join(routed.out, zip)), zip).toBe(await sha256(path.join(single, zip)));
    }
  }, 1_800_000);

  it('fails only the arm64 tasks when the arm64 engine does not answer, naming its address and the error', async () => {
    const dead = `tcp://127.0.0.1:${await freePort()}`;
    const config = demoConfig('dead', `  hosts:\n    arm64:\n      host: ${dead}\n      certPath: ${engine2.tcp!.certPath}\n`);
    const out = path.join(work, 'dead');
    const result = await lambdaPack(['build', '--config', config, '--out', out, '--json'], { cwd: DEMO });
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as { artifacts: { name: string; arch: string }[]; failures: { task: string; code: string; message: string }[] };
    expect(report.failures.length).toBeGreaterThan(0);
    for (const failure of report.failures) {
      expect(failure.task).toMatch(/-arm64$/);
      expect(failure.code).toBe('ENGINE_UNREACHABLE');
      expect(failure.message).toContain(`No Docker engine answered at ${dead} (docker.hosts.arm64): connection refused`);
    }
    // Every x86_64 task built, and the arm64 ones that need no container too.
    expect(report.artifacts.filter((a) => a.arch === 'x86_64')).toHaveLength(11);
    expect(report.artifacts.filter((a) => a.arch === 'arm64').length + report.failures.length).toBe(11);
  }, 600_000);

  it('fails a task whose connection drops mid-build, and leaves no container on that engine', async () => {
    const proxy = await tcpProxy(Number(new URL(engine2.tcp!.address).port));
    const project = tempProject({
      'lambda-pack.config.yaml': `images:\n  provided.al2023: { arm64: lambda-pack-local/debian-base:bookworm-arm64 }\n` +
        `functions:\n  slow: { runtime: provided.al2023, source: fn, architectures: [arm64] }\n` +
        `docker:\n  hosts:\n    arm64: { host: "tcp://127.0.0.1:${proxy.port}", certPath: "${engine2.tcp!.certPath}" }\n`,
      'fn/Makefile': 'build-slow:\n\techo compiling; sleep 120\n\tinstall -m 0755 bootstrap "$(ARTIFACTS_DIR)/bootstrap"\n',
      'fn/bootstrap': '#!/bin/sh\n',
    });
    try {
      const child = execa('node', [CLI, 'build', '--verbose'], { cwd: project.root, env: { CI: 'true' }, reject: false });
      await new Promise<void>((resolve) => child.stderr!.on('data', (c: Buffer) => { if (c.toString().includes('compiling')) resolve(); }));
      proxy.dropAll();
      const result = await child;
      expect(result.exitCode).toBe(1);
      expect(String(result.stderr)).toContain(`tcp://127.0.0.1:${proxy.port}`);
      expect(String(result.stderr)).not.toContain('internal error');
      expect(readdirSync(project.root)).not.toContain('dist');
      // The engine itself never went away: what the run left there, it removed over new connections.
      expect((await engine2.docker(['ps', '-aq', '--filter', 'label=dev.lambda-pack.run'])).trim()).toBe('');
    } finally {
      project.remove();
      await proxy.close();
    }
  }, 300_000);

  it('clean --volumes empties the cache volumes of the engines the config names', async () => {
    const volumes = async () => (await engine2.docker(['volume', 'ls', '-q', '--filter', 'label=dev.lambda-pack.cache'])).split('\n').filter(Boolean);
    expect(await volumes()).not.toEqual([]);
    const onlySecond = demoConfig('clean', `  host:\n    host: ${engine2.tcp!.address}\n    certPath: ${engine2.tcp!.certPath}\n`);
    const result = await lambdaPack(['clean', '--volumes', '--config', onlySecond], { cwd: DEMO, env: { LAMBDA_PACK_CACHE_DIR: path.join(work, 'routed-cache') } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain(`from ${engine2.tcp!.address}`);
    expect(await volumes()).toEqual([]);
    expect(result.stderr).toMatch(/removed the dependency cache at \S*routed-cache\S* \([1-9]\d* entr/);
  });

  it('names the fix when the TLS engine is given no certificates', async () => {
    const config = demoConfig('notls', `  hosts:\n    arm64: ${engine2.tcp!.address}\n`);
    const result = await lambdaPack(['build', 'checksum', '--arch', 'arm64', '--config', config, '--out', path.join(work, 'notls')], { cwd: DEMO });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`No Docker engine answered at ${engine2.tcp!.address} (docker.hosts.arm64)`);
    expect(result.stderr).toMatch(/it expects TLS; give certPath/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

