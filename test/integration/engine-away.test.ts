// The engine going away in the middle of a build: the task fails with a clear message naming the
// engine, no zip is written, and the container it left is removed by the next run once the
// engine is back.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, lambdaPack } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import { tempProject } from '../helpers/project.js';
import { secondEngine } from '../helpers/second-engine.js';

const engine = secondEngine();
const BASE = 'lambda-pack-local/debian-base:bookworm-x86_64';
const project = tempProject({
  'lambda-pack.config.yaml': `loadCheck: false\nimages:\n  provided.al2023: ${BASE}\nfunctions:\n  slow: { runtime: provided.al2023, source: fn }\n`,
  'fn/Makefile': 'build-slow:\n\techo compiling; sleep 120\n\tinstall -m 0755 bootstrap "$(ARTIFACTS_DIR)/bootstrap"\n',
  'fn/bootstrap': '#!/bin/sh\n',
});

beforeAll(async () => {
  await requireEngine();
  await engine.start();
  // The second engine has no images: give it the local base (no registry here).
  await execa('sh', ['-c', `docker save ${BASE} | DOCKER_HOST=${engine.host} docker load >/dev/null`]);
}, 300_000);

afterAll(async () => {
  await engine.destroy();
  project.remove();
}, 120_000);

describe('an engine that goes away mid-build', () => {
  it('fails the task with a message naming the engine, writes nothing, and the next run clears what it left', async () => {
    const env = { DOCKER_HOST: engine.host, CI: 'true' };
    const child = execa('node', [CLI, 'build', '--verbose'], { cwd: project.root, env, reject: false });
    await new Promise<void>((resolve) => child.stderr!.on('data', (c: Buffer) => { if (c.toString().includes('compiling')) resolve(); }));
    await engine.kill();
    const result = await child;
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toContain(engine.host);
    expect(String(result.stderr)).not.toContain('internal error');
    expect(readdirSync(project.root)).not.toContain('dist');

    await engine.start();
    const left = (await engine.docker(['ps', '-aq', '--filter', 'label=dev.lambda-pack.run'])).split('\n').filter(Boolean);
    expect(left.length, await engine.docker(['ps', '-a', '--format', '{{.Names}} {{.Status}} {{.Labels}}'])).toBe(1);
    // The next run, once the engine answers, removes what the dead run could not.
    project.file('fn/Makefile', 'build-slow:\n\tinstall -m 0755 bootstrap "$(ARTIFACTS_DIR)/bootstrap"\n');
    const next = await lambdaPack(['build'], { cwd: project.root, env });
    expect(next.exitCode, next.stderr).toBe(0);
    expect((await engine.docker(['ps', '-aq'])).trim()).toBe('');
    expect(readdirSync(path.join(project.root, 'dist')).sort()).toEqual(['manifest.json', 'slow-x86_64.zip']);
  }, 300_000);
});
