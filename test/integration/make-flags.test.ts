// make builds keep the Makefile's own compiler flags: the reproducible CFLAGS every build gets
// must not override `CFLAGS ?= -O2`, while flags the config sets in `env` still reach make.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import { tempProject } from '../helpers/project.js';
import { extractZip } from '../helpers/zip.js';

const MAKEFILE = 'CFLAGS ?= -O2\nCXXFLAGS ?= -O3\nbuild-own build-configured:\n\tprintf "%s|%s" "$(CFLAGS)" "$(CXXFLAGS)" > "$(ARTIFACTS_DIR)/flags.txt"\n\tinstall -m 0755 bootstrap "$(ARTIFACTS_DIR)/bootstrap"\n';
const project = tempProject({
  'lambda-pack.config.yaml': [
    'imageSet: local',
    '# The bootstraps print their flags and exit: no runtime to load.',
    'loadCheck: false',
    'functions:',
    '  own: { runtime: provided.al2023, source: fn }',
    '  configured: { runtime: provided.al2023, source: fn, env: { CFLAGS: "-O1 -g0" } }',
  ].join('\n'),
  'fn/Makefile': MAKEFILE,
  'fn/bootstrap': '#!/bin/sh\n',
});
const extracted: string[] = [];

async function flags(name: string): Promise<string> {
  const dir = await extractZip(path.join(project.root, 'dist', `${name}-x86_64.zip`));
  extracted.push(dir);
  return readFileSync(path.join(dir, 'flags.txt'), 'utf8');
}

beforeAll(async () => {
  await requireEngine();
  const result = await lambdaPack(['build'], { cwd: project.root });
  expect(result.exitCode, result.stderr).toBe(0);
}, 300_000);

afterAll(() => {
  project.remove();
  for (const dir of extracted) rmSync(dir, { recursive: true, force: true });
});

describe('compiler flags of a make build', () => {
  it("leave the Makefile's own defaults alone", async () => {
    expect(await flags('own')).toBe('-O2|-O3');
  });

  it('are the ones the config sets in env, when it sets them', async () => {
    expect(await flags('configured')).toBe('-O1 -g0|-O3');
  });
});
