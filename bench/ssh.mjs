// Benchmark of the ssh:// engine transport (src/docker/ssh-transport.ts) against a real sshd on a
// loopback port in front of this machine's engine, and the local socket as the floor:
//   one request per new ssh process (what a transport without reuse pays on every request),
//   requests on a kept connection (what lambda-pack does), the same through an OpenSSH ControlMaster,
//   and one build container's life (create, copy in, attach, start, wait, copy out, remove).
// Needs root (sshd), the compiled code (npm run build) and the local images (setup-machine.sh).
// Usage: node bench/ssh.mjs [--runs N]   → prints a markdown section for bench/RESULTS.md
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { sshAgent } = await import(path.join(repo, 'dist/docker/ssh-transport.js'));
const { default: Docker } = await import('dockerode');
const { default: tar } = await import('tar-stream');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 20;
const IMAGE = 'lambda-pack-local/debian-base:bookworm-x86_64';

// An sshd of its own: host key, one client key, known_hosts for it (ssh reads the passwd home's
// ~/.ssh, not $HOME, so the bench names its files with -o options through the transport's spawn).
const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-bench-ssh-'));
const at = (name) => path.join(dir, name);
for (const key of ['host_key', 'client_key']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', at(key)]);
writeFileSync(at('authorized_keys'), readFileSync(at('client_key.pub')));
const port = await new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
writeFileSync(at('sshd_config'), [`Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${at('host_key')}`, `AuthorizedKeysFile ${at('authorized_keys')}`,
  `PidFile ${at('sshd.pid')}`, 'PermitRootLogin prohibit-password', 'PasswordAuthentication no', 'StrictModes no', 'UsePAM no', 'MaxStartups 100', 'MaxSessions 100', ''].join('\n'));
writeFileSync(at('known_hosts'), `[127.0.0.1]:${port} ${readFileSync(at('host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
mkdirSync('/run/sshd', { recursive: true });
const daemon = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', at('sshd_config')], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const address = `ssh://root@127.0.0.1:${port}`;
const files = ['-o', `UserKnownHostsFile=${at('known_hosts')}`];

let spawned = 0;
function agentWith(extra = []) {
  return sshAgent(address, {
    identityFile: at('client_key'),
    spawn: (file, args) => { spawned++; return spawn(file, [...files, ...extra, ...args], { stdio: 'pipe', detached: true }); },
  });
}

function ping(options) {
  return new Promise((resolve, reject) => {
    http.get({ host: 'docker', path: '/_ping', ...options }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject);
  });
}

async function timed(times, fn) {
  const ms = [];
  for (let i = 0; i < times; i++) { const t = performance.now(); await fn(i); ms.push(performance.now() - t); }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], min: ms[0], max: ms.at(-1) };
}

async function containerLife(docker) {
  const pack = tar.pack();
  pack.entry({ name: 'input.txt' }, 'x'.repeat(1 << 20));
  pack.finalize();
  const container = await docker.createContainer({ Image: IMAGE, Cmd: ['sh', '-c', 'wc -c /tmp/input.txt; cp /tmp/input.txt /tmp/output.txt'], AttachStdout: true, AttachStderr: true });
  await container.putArchive(pack, { path: '/tmp' });
  const stream = await container.attach({ stream: true, stdout: true, stderr: true });
  const out = new PassThrough();
  let text = '';
  out.on('data', (c) => { text += c; });
  docker.modem.demuxStream(stream, out, out);
  await container.start();
  await container.wait();
  stream.destroy?.();
  let bytes = 0;
  for await (const chunk of await container.getArchive({ path: '/tmp/output.txt' })) bytes += chunk.length;
  await container.remove({ force: true });
  if (!text.includes('1048576') || bytes < 1 << 20) throw new Error(`container life went wrong: ${text} ${bytes}`);
}

const rows = [];
const fmt = (r) => `${r.median.toFixed(1)} ms | ${r.min.toFixed(1)}–${r.max.toFixed(1)} ms`;
try {
  const local = new http.Agent({ keepAlive: true });
  rows.push(['GET /_ping, local socket, kept connection', fmt(await timed(runs, () => ping({ socketPath: '/var/run/docker.sock', agent: local }))), '0']);

  spawned = 0;
  rows.push(['GET /_ping, a new ssh process per request', fmt(await timed(runs, () => { const a = agentWith(); return ping({ agent: a }).finally(() => a.destroy()); })), String(spawned)]);

  spawned = 0;
  const kept = agentWith();
  await ping({ agent: kept });
  rows.push(['GET /_ping, kept ssh connection (lambda-pack)', fmt(await timed(runs, () => ping({ agent: kept }))), String(spawned)]);

  // A ControlMaster the bench starts and stops; a new ssh per request then only opens a channel.
  const control = at('control.sock');
  execFileSync('ssh', [...files, '-i', at('client_key'), '-p', String(port), '-o', 'BatchMode=yes', '-M', '-S', control, '-f', '-N', 'root@127.0.0.1']);
  spawned = 0;
  rows.push(['GET /_ping, a new ssh process per request, through a ControlMaster', fmt(await timed(runs, () => { const a = agentWith(['-S', control]); return ping({ agent: a }).finally(() => a.destroy()); })), String(spawned)]);

  const lives = Math.max(3, Math.round(runs / 4));
  const localDocker = new Docker({ socketPath: '/var/run/docker.sock' });
  rows.push(['one container life, local socket', fmt(await timed(lives, () => containerLife(localDocker))), '0']);
  for (const [name, extra] of [['kept ssh connections (lambda-pack)', []], ['kept ssh connections through a ControlMaster', ['-S', control]]]) {
    const agent = agentWith(extra);
    spawned = 0;
    const docker = new Docker({ protocol: 'http', host: 'docker', port: undefined, agent });
    const result = await timed(lives, () => containerLife(docker));
    rows.push([`one container life, ${name}`, fmt(result), `${(spawned / lives).toFixed(1)} per life`]);
    agent.destroy();
  }
  spawnSync('ssh', ['-S', control, '-O', 'exit', 'root@127.0.0.1'], { stdio: 'ignore' });
  kept.destroy();
} finally {
  daemon.kill();
  rmSync(dir, { recursive: true, force: true });
}

const load = os.loadavg()[0].toFixed(1);
console.log(`## ssh:// transport\n\n| what | median | min–max | ssh processes |\n|---|---|---|---|`);
for (const row of rows) console.log(`| ${row[0]} | ${row[1]} | ${row[2]} |`);
console.log(`\n${runs} requests per row, ${Math.max(3, Math.round(runs / 4))} container lives (1 MiB in and out); ${os.cpus().length} × ${os.cpus()[0]?.model.split(' ').slice(0, 2).join(' ')}, load average ${load}, Node ${process.version}, ${execFileSync('ssh', ['-V'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) || spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim()}; ${new Date().toISOString().slice(0, 10)}.`);
process.exit(0);
