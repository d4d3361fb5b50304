// An ssh:// engine: a real sshd on a loopback port in front of this machine's engine, reached
// through the system `ssh` (as the docker CLI does), run by a user whose own ~/.ssh holds the
// known_hosts, the config and the key. The build over SSH gives the same zip as one over the
// local socket; ssh's own refusals (unknown host key, no usable key) come back in its words.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import { startSshServer, sshUser, type SshServer, type SshUser } from '../helpers/ssh-server.js';
import { sha256 } from '../helpers/zip.js';

const FIXTURE = path.join(REPO, 'fixtures/node-prebuilt');
const work = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-ssh-'));
const ALIAS = 'graviton-test';
let ssh: SshServer;
let user: SshUser;
let project: string;
let key: string;
let localSha: string;

/** A config in the user's copy of the fixture whose arm64 engine is `engine` (YAML lines). */
function configWith(name: string, engine: string): string {
  return user.write(`project/lambda-pack.${name}.yaml`, 'imageSet: local\ncertificates: system\n# The ssh build user may not use the local engine, where the check of a remote engine\'s task would run.\nloadCheck: false\nfunctions:\n  checksum:\n    runtime: nodejs22.x\n' +
    `    source: function\n    handler: index.handler\n    architectures: [x86_64, arm64]\ndocker:\n  hosts:\n    arm64:\n${engine}`);
}

function build(config: string, out: string) {
  return user.lambdaPack(['build', '--config', config, '--arch', 'arm64', '--out', path.join(user.home, out)],
    { cwd: project, env: { LAMBDA_PACK_CACHE_DIR: path.join(user.home, `cache-${out}`) } });
}

beforeAll(async () => {
  await requireEngine();
  ssh = await startSshServer();
  user = await sshUser();
  // Not one of ssh's default key names: only what the config names finds it.
  key = user.write('keys/builder', ssh.clientKey);
  user.write('.ssh/known_hosts', ssh.knownHostsLine);
  user.write('.ssh/config', `Host ${ALIAS}\n  HostName 127.0.0.1\n  Port ${ssh.port}\n  User root\n  IdentityFile ~/keys/builder\n`);
  project = user.copyIn(FIXTURE, 'project');
  const local = await lambdaPack(['build', '--arch', 'arm64', '--out', path.join(work, 'local')],
    { cwd: FIXTURE, env: { LAMBDA_PACK_CACHE_DIR: path.join(work, 'cache-local') } });
  expect(local.exitCode, local.stderr.slice(-3000)).toBe(0);
  localSha = await sha256(path.join(work, 'local/checksum-arm64.zip'));
}, 240_000);

afterAll(async () => {
  await ssh?.stop();
  await user?.remove();
  rmSync(work, { recursive: true, force: true });
});

describe('an engine reached over ssh://, through the system ssh', () => {
  it('builds the arm64 task through it with the identityFile of the config, with the same bytes as over the local socket', async () => {
    const config = configWith('key', `      host: ${ssh.address}\n      identityFile: ${key}\n`);
    const plan = await user.lambdaPack(['plan', '--json', '--config', config, '--arch', 'arm64'], { cwd: project });
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout).tasks[0]).toMatchObject({ engine: { name: `${ssh.address} (docker.hosts.arm64)`, arch: 'x86_64' }, strategy: { kind: 'cross' } });

    const overSsh = await build(config, 'out-key');
    expect(overSsh.exitCode, overSsh.stderr.slice(-3000)).toBe(0);
    expect(await sha256(path.join(user.home, 'out-key/checksum-arm64.zip'))).toBe(localSha);
  }, 300_000);

  it('follows a Host alias of ~/.ssh/config (HostName, Port, User, IdentityFile) as ssh does, with the same bytes', async () => {
    const config = configWith('alias', `      host: ssh://${ALIAS}\n`);
    const overSsh = await build(config, 'out-alias');
    expect(overSsh.exitCode, overSsh.stderr.slice(-3000)).toBe(0);
    expect(await sha256(path.join(user.home, 'out-alias/checksum-arm64.zip'))).toBe(localSha);
  }, 300_000);

  it('refuses a host whose key known_hosts does not list, with ssh\'s message and how to accept the key', async () => {
    // The same sshd, by a name known_hosts does not vouch for.
    const address = `ssh://root@localhost:${ssh.port}`;
    const result = await build(configWith('stranger', `      host: ${address}\n      identityFile: ${key}\n`), 'out-stranger');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`No Docker engine answered at ${address} (docker.hosts.arm64): ssh: Host key verification failed. `);
    expect(result.stderr).toContain(`Run \`ssh -p ${ssh.port} -i ${key} root@localhost docker version\` once, check the key it shows and accept it`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('refuses a login without a usable key, with ssh\'s message and where keys come from', async () => {
    const result = await build(configWith('nokey', `      host: ${ssh.address}\n`), 'out-nokey');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`No Docker engine answered at ${ssh.address} (docker.hosts.arm64): ssh: root@127.0.0.1: Permission denied (publickey). ssh could not log in without a prompt`);
    expect(result.stderr).toContain(`\`ssh -p ${ssh.port} root@127.0.0.1 docker version\` must work without a password`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
