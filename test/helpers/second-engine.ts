// A second Docker engine on its own socket, data, network and containerd namespaces, that a test can stop
// (SIGKILL: the engine "goes away") and start again. Needs root, like the machine setup.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';

export interface SecondEngine {
  readonly host: string;
  start(): Promise<void>;
  kill(): Promise<void>;
  /** `docker` against this engine. */
  docker(args: readonly string[]): Promise<string>;
  destroy(): Promise<void>;
}

export function secondEngine(): SecondEngine {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-engine2-'));
  const socket = path.join(root, 'docker.sock');
  const host = `unix://${socket}`;
  let daemon: ResultPromise | undefined;
  const env = { DOCKER_HOST: host };

  const engine: SecondEngine = {
    host,
    async start() {
      for (const dir of ['data', 'exec']) mkdirSync(path.join(root, dir), { recursive: true });
      // Its own network namespace: an engine started with --bridge none deletes the host's docker0,
      // which would break the main engine's containers.
      daemon = execa('unshare', ['--net', 'dockerd',
        '--host', host, '--data-root', path.join(root, 'data'), '--exec-root', path.join(root, 'exec'),
        '--pidfile', path.join(root, 'docker.pid'), '--containerd-namespace', 'lambda-pack-test',
        '--containerd-plugins-namespace', 'lambda-pack-test-plugins', '--bridge', 'none', '--iptables=false', '--ip6tables=false',
      ], { reject: false, stdio: 'ignore', detached: false });
      for (let i = 0; i < 100; i++) {
        const up = await execa('docker', ['version'], { env, reject: false, timeout: 5000 });
        if (up.exitCode === 0) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('the second engine did not start');
    },
    async kill() {
      daemon?.kill('SIGKILL');
      await daemon;
      daemon = undefined;
    },
    async docker(args) {
      return String((await execa('docker', [...args], { env, stdin: 'ignore' })).stdout);
    },
    async destroy() {
      if (daemon) {
        await engine.docker(['rm', '-f', ...(await engine.docker(['ps', '-aq'])).split('\n').filter(Boolean)]).catch(() => '');
        daemon.kill('SIGTERM');
        await daemon;
      }
      await execa('sh', ['-c', `umount $(grep ${root} /proc/mounts | cut -d' ' -f2 | sort -r) 2>/dev/null; true`]);
      rmSync(root, { recursive: true, force: true });
    },
  };
  return engine;
}
