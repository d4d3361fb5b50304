// An ssh:// engine: a real sshd on a loopback port in front of this machine's engine, reached
// through dockerode's ssh transport with a key file. The build over SSH gives the same zip as one
// over the local socket; a host key that known_hosts does not vouch for is refused.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import { startSshServer, type SshServer } from '../helpers/ssh-server.js';
import { sha256 } from '../helpers/zip.js';

const FIXTURE = path.join(REPO, 'fixtures/node-prebuilt');
const work = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-ssh-'));
let ssh: SshServer;
let config: string;

beforeAll(async () => {
  await requireEngine();
  ssh = await startSshServer();
  config = path.join(FIXTURE, `lambda-pack.ssh-${process.pid}.yaml`);
  writeFileSync(config, `imageSet: local\ncertificates: system\nfunctions:\n  checksum:\n    runtime: nodejs22.x\n    source: function\n    handler: index.handler\n    architectures: [x86_64, arm64]\n` +
    `docker:\n  hosts:\n    arm64:\n      host: ${ssh.address}\n      identityFile: ${ssh.identityFile}\n`);
}, 120_000);

afterAll(async () => {
  rmSync(config, { force: true });
  await ssh?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('an engine reached over ssh://', () => {
  it('builds the arm64 task through it, with the same bytes as over the local socket', async () => {
    const env = { HOME: ssh.trustingHome, LAMBDA_PACK_CACHE_DIR: path.join(work, 'cache-ssh') };
    const plan = await lambdaPack(['plan', '--json', '--config', config, '--arch', 'arm64'], { cwd: FIXTURE, env });
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout).tasks[0]).toMatchObject({ engine: { name: `${ssh.address} (docker.hosts.arm64)`, arch: 'x86_64' }, strategy: { kind: 'cross' } });

    const overSsh = await lambdaPack(['build', '--config', config, '--arch', 'arm64', '--out', path.join(work, 'ssh')], { cwd: FIXTURE, env });
    expect(overSsh.exitCode, overSsh.stderr.slice(-3000)).toBe(0);
    const local = await lambdaPack(['build', '--arch', 'arm64', '--out', path.join(work, 'local')],
      { cwd: FIXTURE, env: { LAMBDA_PACK_CACHE_DIR: path.join(work, 'cache-local') } });
    expect(local.exitCode, local.stderr.slice(-3000)).toBe(0);
    expect(await sha256(path.join(work, 'ssh/checksum-arm64.zip'))).toBe(await sha256(path.join(work, 'local/checksum-arm64.zip')));
  }, 300_000);

  it('refuses an engine whose host key known_hosts does not list, and says how to fix it', async () => {
    const result = await lambdaPack(['build', '--config', config, '--arch', 'arm64', '--out', path.join(work, 'stranger')],
      { cwd: FIXTURE, env: { HOME: ssh.strangerHome, LAMBDA_PACK_CACHE_DIR: path.join(work, 'cache-stranger') } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`No Docker engine answered at ${ssh.address} (docker.hosts.arm64)`);
    expect(result.stderr).toMatch(/host key of \[127\.0\.0\.1\]:\d+ is not in .*known_hosts: connect once with `ssh -p \d+ 127\.0\.0\.1`/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
