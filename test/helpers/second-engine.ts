// A second Docker engine with its own socket, data root and containerd namespaces, that a test can
// stop (SIGKILL: the engine "goes away") and start again. Needs root, like the machine setup.
//
// Without `tls` it lives in its own network namespace, with no network. With `tls` it also listens
// on 127.0.0.1:<port> with TLS client authentication (certificates made by openssl for the test)
// and gives containers network through its own bridge and NAT rules, leaving the main engine's
// docker0 and iptables chains alone.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './net.js';
import { execa, type ResultPromise } from 'execa';

export interface SecondEngine {
  /** The unix socket (for the docker CLI in tests). */
  readonly host: string;
  /** With tls: tcp://127.0.0.1:<port>, and the directory holding ca.pem, cert.pem, key.pem for clients. */
  readonly tcp?: { readonly address: string; readonly certPath: string };
  start(): Promise<void>;
  kill(): Promise<void>;
  /** `docker` against this engine. */
  docker(args: readonly string[]): Promise<string>;
  destroy(): Promise<void>;
}


/** A CA, a server certificate for 127.0.0.1 and a client certificate, as dockerd's docs make them. */
export async function makeCertificates(dir: string): Promise<void> {
  const sh = (script: string) => execa('sh', ['-euc', script], { cwd: dir });
  await sh(`
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=lambda-pack-test-ca -keyout ca-key.pem -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server-key.pem -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > server.ext
    openssl x509 -req -days 2 -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -extfile server.ext -out server-cert.pem 2>/dev/null
    mkdir -p client && cp ca.pem client/ca.pem
    openssl req -newkey rsa:2048 -nodes -subj /CN=lambda-pack-test-client -keyout client/key.pem -out client.csr 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\\n' > client.ext
    openssl x509 -req -days 2 -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -extfile client.ext -out client/cert.pem 2>/dev/null
  `);
}

let bridges = 0;

export function secondEngine(options: { tls?: boolean } = {}): SecondEngine {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-engine2-'));
  const socket = path.join(root, 'docker.sock');
  const host = `unix://${socket}`;
  let daemon: ResultPromise | undefined;
  const env = { DOCKER_HOST: host };
  // A bridge and subnet of its own (names are at most 15 characters).
  const bridge = `lpt${process.pid % 10000}x${bridges++}`;
  const subnet = `10.213.${(process.pid + bridges) % 200}`;
  let port: number | undefined;
  let prepared = false;

  const nat = (action: '-I' | '-D') => [
    `iptables -t nat ${action} POSTROUTING -s ${subnet}.0/24 ! -o ${bridge} -j MASQUERADE`,
    `iptables ${action} FORWARD -i ${bridge} -j ACCEPT`,
    `iptables ${action} FORWARD -o ${bridge} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
  ].join('; ');

  async function prepare() {
    if (prepared || !options.tls) return;
    await makeCertificates(root);
    port = await freePort();
    await execa('sh', ['-euc', `ip link add ${bridge} type bridge; ip addr add ${subnet}.1/24 dev ${bridge}; ip link set ${bridge} up; ${nat('-I')}`]);
    prepared = true;
  }

  const engine: SecondEngine = {
    host,
    get tcp() {
      return port === undefined ? undefined : { address: `tcp://127.0.0.1:${port}`, certPath: path.join(root, 'client') };
    },
    async start() {
      for (const dir of ['data', 'exec']) mkdirSync(path.join(root, dir), { recursive: true });
      await prepare();
      const common = ['--host', host, '--data-root', path.join(root, 'data'), '--exec-root', path.join(root, 'exec'),
        '--pidfile', path.join(root, 'docker.pid'), '--containerd-namespace', `lambda-pack-test-${path.basename(root)}`,
        '--containerd-plugins-namespace', `lambda-pack-test-plugins-${path.basename(root)}`, '--iptables=false', '--ip6tables=false'];
      // Without a bridge of its own an engine (--bridge none) deletes the host's docker0, which
      // would break the main engine's containers: the networkless one gets its own namespace.
      daemon = options.tls
        ? execa('dockerd', [...common, '--bridge', bridge, '--ip-masq=false', '--host', `tcp://127.0.0.1:${port}`,
          '--tlsverify', '--tlscacert', path.join(root, 'ca.pem'), '--tlscert', path.join(root, 'server-cert.pem'), '--tlskey', path.join(root, 'server-key.pem')],
        { reject: false, stdio: 'ignore' })
        : execa('unshare', ['--net', 'dockerd', ...common, '--bridge', 'none'], { reject: false, stdio: 'ignore' });
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
      if (prepared) await execa('sh', ['-c', `${nat('-D')}; ip link del ${bridge}; true`]);
      rmSync(root, { recursive: true, force: true });
    },
  };
  return engine;
}
