// A real sshd on a loopback port, with its own host key and one authorised client key, through
// which `docker system dial-stdio` reaches this machine's engine: what an ssh:// engine is.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './net.js';
import { execa, type ResultPromise } from 'execa';

export interface SshServer {
  /** ssh://root@127.0.0.1:<port> */
  readonly address: string;
  /** The client's private key (config identityFile). */
  readonly identityFile: string;
  /** A HOME whose .ssh/known_hosts records this server's host key. */
  readonly trustingHome: string;
  /** A HOME with no known_hosts. */
  readonly strangerHome: string;
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
  for (const home of ['trusting', 'stranger']) mkdirSync(path.join(dir, home, '.ssh'), { recursive: true });
  const [type, key] = readFileSync(at('host_key.pub'), 'utf8').split(' ');
  writeFileSync(path.join(dir, 'trusting/.ssh/known_hosts'), `[127.0.0.1]:${port} ${type} ${key}\n`);
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
    identityFile: at('client_key'),
    trustingHome: path.join(dir, 'trusting'),
    strangerHome: path.join(dir, 'stranger'),
    async stop() {
      daemon.kill('SIGTERM');
      await daemon;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
