// A real, very common node-gyp package: bcrypt 5.1.1 from the npm registry. Its prebuilt download
// fails offline, node-pre-gyp compiles it in the container, and gyp puts the addon in lib/binding
// as a hard link. Both zips must ship that file (not the build tree), pass the load check and
// answer. And a zip that does not load is refused by the load check, the previous one kept.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import { tempProject } from '../helpers/project.js';
import { sha256, zipEntries } from '../helpers/zip.js';
import type { Manifest } from '../../src/package/manifest.js';

const FIXTURE = path.join(REPO, 'fixtures/node-bcrypt');
const ARCHES = ['x86_64', 'arm64'] as const;
const out = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-bcrypt-'));
let manifest: Manifest;

beforeAll(async () => {
  await requireEngine();
  const result = await lambdaPack(['build', '--out', out, '--json'], { cwd: FIXTURE });
  expect(result.exitCode, result.stderr).toBe(0);
  manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
}, 900_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('bcrypt from the npm registry', () => {
  it.each(ARCHES)('ships the hard-linked addon for %s, and not the build tree it was linked from', async (arch) => {
    const entries = await zipEntries(path.join(out, `hasher-${arch}.zip`));
    expect(entries).toContain('node_modules/bcrypt/lib/binding/napi-v3/bcrypt_lib.node');
    // (bcrypt's own Makefile is part of the package as published: it ships, as npm installs it.)
    expect(entries.filter((e) => e.includes('build-tmp-napi-v3') || /\.o$|\.o\.d$|\.target\.mk$|config\.gypi$/.test(e))).toEqual([]);
  });

  it.each(ARCHES)('passes the load check on %s, its time in the manifest', (arch) => {
    const record = manifest.artifacts.find((a) => a.arch === arch)!;
    expect(record.findings).toEqual([]);
    expect(record.loadCheckMs).toBeGreaterThan(0);
  });

  it.each(ARCHES)('answers through lambda-pack invoke on %s', async (arch) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-event-'));
    try {
      const event = path.join(dir, 'event.json');
      await import('node:fs/promises').then((fs) => fs.writeFile(event, '{"password":"hunter2"}'));
      const result = await lambdaPack(['invoke', 'hasher', '--arch', arch, '--out', out, '--event', event], { cwd: FIXTURE });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ valid: true, prefix: '$2b$', arch: arch === 'x86_64' ? 'x64' : 'arm64' });
    } finally { rmSync(dir, { recursive: true, force: true }); }
  }, 120_000);
});

describe('a zip that does not load', () => {
  // What a build that loses the addon ships: the code requires a .node file that is not there.
  const project = tempProject({
    'lambda-pack.config.yaml': 'imageSet: local\nfunctions:\n  zeta: { runtime: nodejs22.x, source: fn, handler: index.handler, builder: make }\n',
    'fn/Makefile': 'build-zeta:\n\tcp index.js package.json "$(ARTIFACTS_DIR)/"\n',
    'fn/index.js': "const addon = require('./build/Release/zeta.node');\nexports.handler = async () => addon.answer();\n",
    'fn/package.json': '{"name":"zeta","version":"1.0.0"}',
  });
  afterAll(() => project.remove());

  it('fails the load check in Node\'s own words, exit 1, and leaves the previous zip as it was', async () => {
    const previous = project.file('dist/zeta-x86_64.zip', 'previous zip');
    const before = await sha256(previous);
    const result = await lambdaPack(['build', '--arch', 'x86_64', '--json'], { cwd: project.root });
    expect(result.exitCode).toBe(1);
    const failure = JSON.parse(result.stdout).failures[0];
    expect(failure).toMatchObject({ task: 'zeta-x86_64', code: 'VERIFY_FAILED', message: expect.stringContaining('LOAD_FAILED') });
    expect(failure.message).toContain("Cannot find module './build/Release/zeta.node'");
    expect(await sha256(previous)).toBe(before);
    const accepted = await lambdaPack(['build', '--arch', 'x86_64', '--no-load-check'], { cwd: project.root });
    expect(accepted.exitCode, accepted.stderr).toBe(0);
  }, 120_000);
});
