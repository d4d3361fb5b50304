// What a build container can see and do: only the environment the config names, no host paths,
// no capabilities beyond what its user needs, no new privileges, and no way to change the source.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import { tempProject } from '../helpers/project.js';
import { extractZip } from '../helpers/zip.js';

const REPORT = [
  'build-probe:',
  '\tenv | sort > "$(ARTIFACTS_DIR)/env.txt"',
  '\tgrep -E "^(Cap|NoNewPrivs)" /proc/self/status > "$(ARTIFACTS_DIR)/status.txt"',
  '\tid -u > "$(ARTIFACTS_DIR)/uid.txt"',
  '\tcut -d" " -f2,3 /proc/self/mounts > "$(ARTIFACTS_DIR)/mounts.txt"',
  '\techo changed >> Makefile',
  '\tinstall -m 0755 bootstrap "$(ARTIFACTS_DIR)/bootstrap"',
].join('\n');

const project = tempProject({
  'lambda-pack.config.yaml': 'imageSet: local\n# The probe bootstrap reports what the build saw and exits: it is no runtime to load.\nloadCheck: false\nfunctions:\n  probe: { runtime: provided.al2023, source: fn, env: { LITERAL: "from-config" }, passEnv: [PASSED_ON] }\n',
  'fn/Makefile': `${REPORT}\n`,
  'fn/bootstrap': '#!/bin/sh\n',
});
let files: string;

beforeAll(async () => {
  await requireEngine();
  const result = await lambdaPack(['build', '--arch', 'x86_64'], {
    cwd: project.root, env: { HOST_SECRET: 'do-not-leak', PASSED_ON: 'passed-by-name' },
  });
  expect(result.exitCode, result.stderr).toBe(0);
  files = await extractZip(path.join(project.root, 'dist/probe-x86_64.zip'));
}, 180_000);

afterAll(() => project.remove());

const read = (name: string) => readFileSync(path.join(files, name), 'utf8');

describe('a build container', () => {
  it('sees only the environment the config names', () => {
    const env = read('env.txt');
    expect(env).toContain('LITERAL=from-config');
    expect(env).toContain('PASSED_ON=passed-by-name');
    expect(env).not.toContain('do-not-leak');
    expect(env).not.toContain('HOST_SECRET');
  });

  it('runs as the invoking user, with no new privileges and no dangerous capabilities', () => {
    expect(read('uid.txt').trim()).toBe(String(process.getuid?.() ?? 0));
    const status = read('status.txt');
    expect(status).toMatch(/NoNewPrivs:\s+1/);
    const bounding = BigInt(`0x${/CapBnd:\s+([0-9a-f]+)/.exec(status)![1]}`);
    const has = (bit: number) => (bounding >> BigInt(bit)) & 1n;
    // CAP_SYS_ADMIN 21, CAP_NET_RAW 13, CAP_SYS_PTRACE 19, CAP_MKNOD 27, CAP_NET_ADMIN 12.
    for (const bit of [21, 13, 19, 27, 12]) expect(has(bit), `capability bit ${bit}`).toBe(0n);
  });

  it('has no host path mounted, only its package-manager cache volume', () => {
    const mounts = read('mounts.txt').split('\n').filter(Boolean);
    const binds = mounts.map((line) => line.split(' ')[0]!)
      .filter((target) => !/^\/(proc|sys|dev)(\/|$)/.test(target) && target !== '/');
    // Docker's own per-container files, and the named cache volume.
    expect(binds.sort()).toEqual(['/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/lambda-pack-cache'].sort());
  });

  it('cannot change the function source: it works on a copy', () => {
    expect(readFileSync(path.join(project.root, 'fn/Makefile'), 'utf8')).toBe(`${REPORT}\n`);
  });
});
