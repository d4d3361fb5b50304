// Faults around a build: out of memory, a full output disk, an interrupt while zipping, and two
// builds on one output directory. Each leaves no partial zip, no container and the old zips.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, lambdaPack } from '../helpers/cli.js';
import { lambdaPackContainers, requireEngine } from '../helpers/docker.js';
import { tempProject } from '../helpers/project.js';
import { sha256 } from '../helpers/zip.js';

beforeAll(requireEngine);

/** Files in an output directory that are not finished artifacts. */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((f) => !/^[\w-]+\.zip$/.test(f) && f !== 'manifest.json');
}

describe('faults during a build', () => {
  it('says the build ran out of memory when the container is OOM-killed', async () => {
    const project = tempProject({
      'lambda-pack.config.yaml': 'imageSet: local\ndocker: { memory: 64m }\nfunctions:\n  hungry: { runtime: provided.al2023, source: fn }\n',
      'fn/Makefile': 'build-hungry:\n\tpython3 -c "b = bytearray(512 * 1024 * 1024); print(len(b))"\n\tcp bootstrap "$(ARTIFACTS_DIR)/"\n',
      'fn/bootstrap': '#!/bin/sh\n',
    });
    try {
      const before = await lambdaPackContainers();
      const result = await lambdaPack(['build', '--arch', 'x86_64'], { cwd: project.root });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('ran out of memory (OOM-killed)');
      expect(result.stderr).toContain('docker.memory');
      expect(readdirSync(project.root)).not.toContain('dist');
      expect((await lambdaPackContainers()).filter((c) => !before.includes(c))).toEqual([]);
    } finally { project.remove(); }
  }, 120_000);

  it('fails clearly on a full output disk and leaves no partial zip', async () => {
    const project = tempProject({
      'lambda-pack.config.yaml': 'loadCheck: false\nfunctions:\n  big: { runtime: nodejs22.x, source: fn, handler: index.handler }\n',
      'fn/index.js': 'exports.handler = async () => 1;\n',
    });
    writeFileSync(path.join(project.root, 'fn/data.bin'), randomBytes(2 * 1024 * 1024));
    const out = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-full-'));
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', out]);
    try {
      writeFileSync(path.join(out, 'big-x86_64.zip'), 'previous zip');
      const result = await lambdaPack(['build', '--out', out], { cwd: project.root });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/no space left on the device \(ENOSPC\)/);
      expect(result.stderr).not.toContain('internal error');
      expect(readFileSync(path.join(out, 'big-x86_64.zip'), 'utf8')).toBe('previous zip');
      expect(leftovers(out)).toEqual([]);
    } finally {
      await execa('umount', [out]);
      rmSync(out, { recursive: true, force: true });
      project.remove();
    }
  });

  it.each([['SIGINT', 130], ['SIGTERM', 143]] as const)('stops on %s while zipping (exit %i), removes the partial zip and keeps the previous one', async (signal, code) => {
    const project = tempProject({
      'lambda-pack.config.yaml': 'loadCheck: false\nfunctions:\n  big: { runtime: nodejs22.x, source: fn, handler: index.handler }\n',
      'fn/index.js': 'exports.handler = async () => 1;\n',
    });
    // Random bytes do not compress: zipping them takes long enough to be interrupted.
    for (let i = 0; i < 6; i++) writeFileSync(path.join(project.root, `fn/blob-${i}.bin`), randomBytes(32 * 1024 * 1024));
    const dist = project.dir('dist');
    writeFileSync(path.join(dist, 'big-x86_64.zip'), 'previous zip');
    try {
      const child = execa('node', [CLI, 'build'], { cwd: project.root, reject: false, env: { CI: 'true' } });
      await new Promise<void>((resolve) => child.stderr!.on('data', (c: Buffer) => { if (c.toString().includes('zipping')) resolve(); }));
      await new Promise((r) => setTimeout(r, 300));
      child.kill(signal);
      const result = await child;
      expect(result.exitCode).toBe(code);
      expect(readFileSync(path.join(dist, 'big-x86_64.zip'), 'utf8')).toBe('previous zip');
      expect(leftovers(dist)).toEqual([]);
    } finally { project.remove(); }
  }, 120_000);

  it('fails the task clearly when its container is killed from outside, and removes it', async () => {
    const project = tempProject({
      'lambda-pack.config.yaml': 'imageSet: local\nfunctions:\n  slow: { runtime: provided.al2023, source: fn }\n',
      'fn/Makefile': 'build-slow:\n\techo compiling; sleep 60\n\tinstall -m 0755 bootstrap "$(ARTIFACTS_DIR)/bootstrap"\n',
      'fn/bootstrap': '#!/bin/sh\n',
    });
    try {
      const before = await lambdaPackContainers();
      const child = execa('node', [CLI, 'build', '--arch', 'x86_64', '--verbose'], { cwd: project.root, reject: false, env: { CI: 'true' } });
      await new Promise<void>((resolve) => child.stderr!.on('data', (c: Buffer) => { if (c.toString().includes('compiling')) resolve(); }));
      const [container] = (await lambdaPackContainers()).filter((c) => !before.includes(c));
      await execa('docker', ['kill', container!]);
      const result = await child;
      expect(result.exitCode).toBe(1);
      expect(String(result.stderr)).toContain('failed with exit code 137');
      expect(readdirSync(project.root)).not.toContain('dist');
      expect((await lambdaPackContainers()).filter((c) => !before.includes(c))).toEqual([]);
    } finally { project.remove(); }
  }, 120_000);

  it('runs two builds on one output directory one after the other, never interleaved', async () => {
    // The first build holds the output directory's lock for as long as its install runs (a few
    // seconds of sleep); the second starts while it does, waits, then finds the zip complete.
    const project = tempProject({
      'lambda-pack.config.yaml': 'imageSet: local\nloadCheck: false\narchitectures: [x86_64]\nfunctions:\n  slow: { runtime: provided.al2023, source: fn }\n',
      'fn/Makefile': 'build-slow:\n\techo compiling; sleep 6\n\tinstall -m 0755 bootstrap "$(ARTIFACTS_DIR)/bootstrap"\n',
      'fn/bootstrap': '#!/bin/sh\n',
    });
    // A cache of its own: with the install cached from an earlier run (the same project, so the
    // same key) the first build would repackage without running make, and hold the lock too briefly.
    const env = { LAMBDA_PACK_CACHE_DIR: path.join(project.root, '.cache') };
    try {
      const first = execa('node', [CLI, 'build', '--verbose'], { cwd: project.root, reject: false, env: { CI: 'true', ...env } });
      // Wait until the first build's install is running (its log says so), or until it ends: a
      // first build that fails before its install must fail this test with its own words.
      let firstLog = '';
      const started = await new Promise<boolean>((resolve) => {
        first.stderr!.on('data', (c: Buffer) => { firstLog += c.toString(); if (firstLog.includes('compiling')) resolve(true); });
        first.stdout!.on('data', (c: Buffer) => { firstLog += c.toString(); if (firstLog.includes('compiling')) resolve(true); });
        void first.finally(() => resolve(false));
      });
      expect(started, `the first build ended before its install ran:\n${firstLog}`).toBe(true);
      const second = await lambdaPack(['build'], { cwd: project.root, env });
      const firstResult = await first;
      expect(firstResult.exitCode, String(firstResult.stderr)).toBe(0);
      expect(second.exitCode, second.stderr).toBe(0);
      expect(second.stderr).toContain('waiting for another build');
      const dist = path.join(project.root, 'dist');
      expect(leftovers(dist)).toEqual([]);
      const manifest = JSON.parse(readFileSync(path.join(dist, 'manifest.json'), 'utf8'));
      expect(manifest.artifacts[0].sha256).toBe(await sha256(path.join(dist, 'slow-x86_64.zip')));
      // The second build decided after the first had finished: it found the zip complete and reused it.
      expect(manifest.artifacts[0].action).toBe('reuse');
    } finally { project.remove(); }
  }, 120_000);
});
