// A real sshd on a loopback port, with its own host key and one authorised client key, through
// which `docker system dial-stdio` reaches this machine's engine: what an ssh:// engine is. And a
// local user to run lambda-pack as, since ssh reads ~/.ssh from the passwd entry, never $HOME.
import { chmodSync, chownSync, cpSync, lchownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { CLI, type CliResult } from './cli.js';
import { freePort } from './net.js';

export interface SshServer {
  /** ssh://root@127.0.0.1:<port> */
  readonly address: string;
  readonly port: number;
  /** The authorised client's private key. */
  readonly clientKey: Buffer;
  /** A known_hosts line that vouches for this server as [127.0.0.1]:<port>. */
  readonly knownHostsLine: string;
  stop(): Promise<void>;
}

export async function startSshServer(): Promise<SshServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-sshd-'));
  const at = (name: string) => path.join(dir, name);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', at('host_key')]);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', at('client_key')]);
  writeFileSync(at('authorized_keys'), readFileSync(at('client_key.pub')));
  const port = await freePort();
  writeFileSync(at('sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${at('host_key')}`, `AuthorizedKeysFile ${at('authorized_keys')}`,
    `PidFile ${at('sshd.pid')}`, 'PermitRootLogin prohibit-password', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
    'StrictModes no', 'UsePAM no', '',
  ].join('\n'));
  const [type, key] = readFileSync(at('host_key.pub'), 'utf8').split(' ');
  mkdirSync('/run/sshd', { recursive: true });
  const daemon: ResultPromise = execa('/usr/sbin/sshd', ['-D', '-e', '-f', at('sshd_config')], { reject: false, stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); }).on('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address: `ssh://root@127.0.0.1:${port}`,
    port,
    clientKey: readFileSync(at('client_key')),
    knownHostsLine: `[127.0.0.1]:${port} ${type} ${key}\n`,
    async stop() {
      daemon.kill('SIGTERM');
      await daemon;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SshUser {
  readonly name: string;
  /** The user's home (its passwd entry), owned by it. */
  readonly home: string;
  /** Writes a file under the home, owned by the user, mode 0600 (ssh refuses keys and configs others can read or write). */
  write(relative: string, content: string | Buffer): string;
  /** Copies a directory into the home, owned by the user; returns where. */
  copyIn(from: string, relative: string): string;
  /** Runs the compiled CLI as the user, with only PATH, HOME and `env` of the environment. */
  lambdaPack(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult>;
  remove(): Promise<void>;
}

const SSH_USER = 'lpssh';

/** A local user with a fresh empty home; an existing one of that name gets the new home. */
export async function sshUser(): Promise<SshUser> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-ssh-home-'));
  const exists = (await execa('id', ['-u', SSH_USER], { reject: false })).exitCode === 0;
  await execa(exists ? 'usermod' : 'useradd', exists ? ['--home', home, SSH_USER] : ['--no-create-home', '--home-dir', home, '--shell', '/bin/sh', '--user-group', SSH_USER]);
  const uid = Number((await execa('id', ['-u', SSH_USER])).stdout);
  const gid = Number((await execa('id', ['-g', SSH_USER])).stdout);
  chownSync(home, uid, gid);
  chmodSync(home, 0o755);
  return {
    name: SSH_USER,
    home,
    write(relative, content) {
      const file = path.join(home, relative);
      for (let dir = path.dirname(file); dir.startsWith(`${home}/`); dir = path.dirname(dir)) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        chownSync(dir, uid, gid);
      }
      writeFileSync(file, content, { mode: 0o600 });
      chownSync(file, uid, gid);
      return file;
    },
    copyIn(from, relative) {
      const to = path.join(home, relative);
      cpSync(from, to, { recursive: true });
      for (const entry of ['', ...(readdirSync(to, { recursive: true }) as string[])]) lchownSync(path.join(to, entry), uid, gid);
      return to;
    },
    async lambdaPack(args, options) {
      const started = Date.now();
      const result = await execa('node', [CLI, ...args], {
        cwd: options.cwd, uid, gid, reject: false, stdin: 'ignore', extendEnv: false,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CI: 'true', ...options.env },
      });
      return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr), ms: Date.now() - started };
    },
    async remove() {
      rmSync(home, { recursive: true, force: true });
    },
  };
}
