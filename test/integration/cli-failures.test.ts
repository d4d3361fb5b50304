// How the CLI fails: no engine, bad config, unknown names, and an interrupted build.
import { mkdtempSync, readFileSync, readdirSync, rmSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, lambdaPack, REPO } from '../helpers/cli.js';
import { lambdaPackContainers, requireEngine } from '../helpers/docker.js';
import { sha256 } from '../helpers/zip.js';
import { tempProject } from '../helpers/project.js';

const FIXTURE = path.join(REPO, 'fixtures/node-native');

beforeAll(requireEngine);

describe('failures the user can act on', () => {
  it('exits 1 within 5 s naming the address when no engine answers', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-noengine-'));
    const result = await lambdaPack(['build', '--out', out], { cwd: FIXTURE, env: { DOCKER_HOST: 'unix:///nonexistent' } });
    expect(result.exitCode).toBe(1);
    expect(result.ms).toBeLessThan(5000);
    expect(result.stderr).toContain('unix:///nonexistent');
    expect(result.stderr).toMatch(/Start an engine/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(out)).toEqual([]);
    rmSync(out, { recursive: true, force: true });
  });

  it('exits 2 for an unknown runtime, naming the file and the field, without a stack trace', async () => {
    const project = tempProject({ 'fn/index.js': '', 'lambda-pack.config.yaml': 'functions:\n  api:\n    runtime: nodejs99.x\n    source: fn\n' });
    try {
      const result = await lambdaPack(['build'], { cwd: project.root });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(`${path.join(project.root, 'lambda-pack.config.yaml')}:3`);
      expect(result.stderr).toContain('functions.api.runtime');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally { project.remove(); }
  });

  it('prints a JSON error document on stdout with --json, when the config is wrong', async () => {
    const project = tempProject({ 'fn/index.js': '', 'lambda-pack.config.yaml': 'functions:\n  api:\n    runtime: nodejs99.x\n    source: fn\n' });
    try {
      const result = await lambdaPack(['build', '--json'], { cwd: project.root });
      expect(result.exitCode).toBe(2);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_RUNTIME', message: expect.stringContaining('functions.api.runtime') } });
    } finally { project.remove(); }
  });

  it('exits 2 for an unknown function name and for a bad flag value', async () => {
    const unknown = await lambdaPack(['build', 'nativ'], { cwd: FIXTURE });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('Did you mean "native"?');
    const badArch = await lambdaPack(['build', '--arch', 'ppc64'], { cwd: FIXTURE });
    expect(badArch.exitCode).toBe(2);
    expect(badArch.stderr).toContain('ppc64');
    const badConcurrency = await lambdaPack(['build', '--concurrency', '0'], { cwd: FIXTURE });
    expect(badConcurrency.exitCode).toBe(2);
  });

  it('fails clearly when package-lock.json is missing, with the command that makes one', async () => {
    // A lockfile is needed only when there is something to lock.
    const project = tempProject({ 'fn/package.json': '{"name":"x","version":"1.0.0","dependencies":{"ms":"2.1.3"}}', 'lambda-pack.config.yaml': 'functions:\n  api:\n    runtime: nodejs22.x\n    source: fn\n' });
    try {
      const result = await lambdaPack(['build'], { cwd: project.root });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('npm install --package-lock-only');
    } finally { project.remove(); }
  });

  it('shows the exit code and the last log lines when the install fails', async () => {
    const project = tempProject({
      'fn/package.json': '{"name":"x","version":"1.0.0","dependencies":{"broken":"file:broken"}}',
      'fn/broken/package.json': '{"name":"broken","version":"1.0.0","scripts":{"install":"echo compiling broken >&2; echo error: broken.c:1: no such thing >&2; exit 3"}}',
      'lambda-pack.config.yaml': 'imageSet: local\ncertificates: system\nfunctions:\n  api:\n    runtime: nodejs22.x\n    source: fn\n',
    });
    try {
      await execa('npm', ['install', '--package-lock-only', '--install-links'], { cwd: path.join(project.root, 'fn') });
      project.file('fn/.npmrc', 'install-links=true\n');
      const result = await lambdaPack(['build'], { cwd: project.root });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('failed with exit code');
      expect(result.stderr).toContain('error: broken.c:1: no such thing');
      expect(readdirSync(project.root)).not.toContain('dist');
    } finally { project.remove(); }
  }, 120_000);
});

describe('an interrupted build', () => {
  it.each([['SIGINT', 130], ['SIGTERM', 143]] as const)('stops on %s with exit %i, removes its containers and keeps the previous zip', async (signal, code) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-interrupt-'));
    const project = path.join(dir, 'project');
    cpSync(FIXTURE, project, { recursive: true, filter: (src) => !src.includes(`${path.sep}dist`) });
    try {
      const first = await lambdaPack(['build', '--arch', 'x86_64'], { cwd: project });
      expect(first.exitCode, first.stderr).toBe(0);
      const zip = path.join(project, 'dist/native-x86_64.zip');
      const before = await sha256(zip);
      const containersBefore = await lambdaPackContainers();
      const tempBefore = readdirSync(os.tmpdir());
      // Change the source so the new zip would differ, then interrupt during the install (--no-cache: the
      // dependencies are cached, and only a fresh install starts a container).
      cpSync(path.join(project, 'function/index.js'), path.join(project, 'function/extra.js'));
      const child = execa('node', [CLI, 'build', '--arch', 'x86_64', '--verbose', '--no-cache'], { cwd: project, reject: false, env: { CI: 'true' } });
      await new Promise<void>((resolve) => {
        child.stderr!.on('data', (chunk: Buffer) => { if (chunk.toString().includes('installing')) resolve(); });
      });
      await new Promise((r) => setTimeout(r, 1500));
      child.kill(signal);
      const result = await child;
      expect(result.exitCode).toBe(code);
      expect(String(result.stderr)).toContain(`interrupted by ${signal}`);
      expect((await lambdaPackContainers()).filter((c) => !containersBefore.includes(c))).toEqual([]);
      expect(await sha256(zip)).toBe(before);
      expect(readdirSync(path.join(project, 'dist')).sort()).toEqual(['manifest.json', 'native-x86_64.zip']);
      expect(readdirSync(os.tmpdir()).filter((f) => !tempBefore.includes(f) && f.startsWith('lambda-pack-'))).toEqual([]);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  }, 180_000);
});

describe('verification as the last step of a build', () => {
  it('refuses a zip that would not load, keeps the previous one, and names the findings', async () => {
    const project = tempProject({
      'lambda-pack.config.yaml': 'loadCheck: false\nfunctions:\n  custom: { runtime: provided.al2023, source: custom }\n  web: { runtime: nodejs22.x, source: web, handler: main.handler }\n',
      'custom/README.md': 'no bootstrap here\n',
      'web/index.js': 'exports.handler = async () => 1;\n',
    });
    try {
      project.file('dist/custom-x86_64.zip', 'previous zip');
      const result = await lambdaPack(['build', '--json'], { cwd: project.root });
      expect(result.exitCode).toBe(1);
      const report = JSON.parse(result.stdout);
      expect(report.failures.map((f: { task: string; code: string }) => [f.task, f.code])).toEqual([['custom-x86_64', 'VERIFY_FAILED'], ['web-x86_64', 'VERIFY_FAILED']]);
      expect(report.failures[0].message).toContain('BOOTSTRAP_MISSING');
      expect(report.failures[1].message).toContain('HANDLER_NOT_FOUND');
      expect(readdirSync(path.join(project.root, 'dist'))).toEqual(['custom-x86_64.zip']);
      expect(readFileSync(path.join(project.root, 'dist/custom-x86_64.zip'), 'utf8')).toBe('previous zip');
    } finally { project.remove(); }
  });

  it('refuses to ship a secret unless the function allows that path', async () => {
    const config = (allow: string) => `loadCheck: false\nfunctions:\n  web: { runtime: nodejs22.x, source: web, handler: index.handler${allow} }\n`;
    const project = tempProject({
      'lambda-pack.config.yaml': config(''),
      'web/index.js': 'exports.handler = async () => 1;\n',
      'web/.env': 'DB_PASSWORD=hunter2-but-longer\n',
    });
    try {
      const refused = await lambdaPack(['build'], { cwd: project.root });
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toContain('SECRET_FILE .env');
      expect(refused.stderr).not.toContain('hunter2');
      project.file('lambda-pack.config.yaml', config(', allowSecrets: [".env"]'));
      const allowed = await lambdaPack(['build'], { cwd: project.root });
      expect(allowed.exitCode, allowed.stderr).toBe(0);
    } finally { project.remove(); }
  });

  it('puts the findings of a successful build into the manifest', async () => {
    const project = tempProject({
      'lambda-pack.config.yaml': 'imageSet: local\nfunctions:\n  web: { runtime: nodejs22.x, source: web, handler: index.handler }\n',
      'web/index.js': 'exports.handler = async () => 1;\n',
      'web/tool.exe': 'MZ not really',
    });
    try {
      const result = await lambdaPack(['build', '--json'], { cwd: project.root });
      expect(result.exitCode, result.stderr).toBe(0);
      const manifest = JSON.parse(readFileSync(path.join(project.root, 'dist/manifest.json'), 'utf8'));
      expect(manifest.artifacts[0].findings).toEqual(expect.any(Array));
      expect(JSON.parse(result.stdout).artifacts[0].findings).toEqual(manifest.artifacts[0].findings);
    } finally { project.remove(); }
  });
});
