// Benchmark: a code-only change of an image function. lambda-pack (write the layers, assemble,
// push) against `docker build` + `docker push` of the equivalent Dockerfile, to the same loopback
// registry (Debian's docker-registry behind a byte-counting proxy), alternating, in one run.
// Run from the repository root (needs the engine, docker-registry and the local Debian base):
//   npx tsc bench/image.ts --ignoreConfig --outDir bench/.work/build --rootDir . --module nodenext --target es2022 --types node --strict --skipLibCheck && node bench/.work/build/bench/image.js
// Prints a markdown section and writes it to bench/.work/image-results.md.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { execa } from 'execa';
import path from 'node:path';
import { connectEngine } from '../src/docker/engine.js';
import { resolveBaseImage } from '../src/image/base.js';
import { BlobStore } from '../src/image/blob-store.js';
import { buildFunctionImage } from '../src/image/function-image.js';
import { pushImage } from '../src/image/push.js';
import { Registries } from '../src/image/registry/client.js';
import { trustFrom } from '../src/image/registry/http.js';
import { ARCHITECTURES } from '../src/runtimes.js';
import { PROVIDED, inputsOf, pushBaseStandIn } from '../test/helpers/image-function.js';
import { tcpProxy } from '../test/helpers/net.js';
import { startRegistry } from '../test/helpers/registry.js';
import { ensureTree } from './lib/tree.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const WORK = path.resolve('bench/.work');
const ARCH = ARCHITECTURES.x86_64;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e6 ? 3 : 1)} MB`;
const sh = (command: string, args: string[], cwd?: string) => execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

interface Sample { seconds: number; bytes: number; uploads: number }

async function main(): Promise<void> {
  const tree = await ensureTree(WORK);
  const dir = path.join(WORK, 'image');
  rmSync(dir, { recursive: true, force: true });
  const fn = path.join(dir, 'fn');
  cpSync(path.resolve('fixtures/image-function/code'), path.join(fn, 'code'), { recursive: true });
  // The Docker context needs the dependencies inside it; lambda-pack reads them where they are.
  cpSync(path.join(tree.root, 'node_modules'), path.join(fn, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  const depsBytes = Number(sh('du', ['-sb', path.join(fn, 'node_modules')]).split('\t')[0]);

  const registry = await startRegistry();
  const proxy = await tcpProxy(Number(registry.host.split(':')[1]));
  const host = `127.0.0.1:${proxy.port}`;
  const engine = await connectEngine({ address: 'unix:///var/run/docker.sock', origin: 'the default socket' });
  const registries = new Registries({ trust: trustFrom(), credentials: async () => undefined });
  const store = new BlobStore(path.join(dir, 'store'));
  const standInTag = `lambda-pack-bench/image-base:${process.pid}`;
  const base = await pushBaseStandIn(engine, registries, host, 'x86_64', store, standInTag, path.resolve('fixtures/image-base'));
  const dockerTag = `${host}/bench/fn-docker:x86_64`;
  writeFileSync(path.join(fn, 'Dockerfile'), [
    `FROM ${base.mirrored}`, 'COPY node_modules/ /var/task/node_modules/', 'COPY code/ /var/task/',
    'COPY code/bootstrap /var/runtime/bootstrap', 'CMD ["function.handler"]', '',
  ].join('\n'));

  const measure = async (work: () => Promise<void>): Promise<Sample> => {
    registry.mark();
    const bytes = proxy.bytesSent;
    const started = process.hrtime.bigint();
    await work();
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, bytes: proxy.bytesSent - bytes, uploads: registry.uploads().length };
  };
  const lambdaPack = (remember: boolean) => async () => {
    const baseImage = await resolveBaseImage(registries, base.mirrored, ARCH);
    const built = await buildFunctionImage({
      base: baseImage, arch: ARCH, runtime: PROVIDED, handler: 'function.handler', store,
      parts: [
        { name: 'dependencies', root: 'var/task', inputs: (await inputsOf(path.join(fn, 'node_modules'))).map((i) => ({ ...i, path: `node_modules/${i.path}` })), ...(remember ? { cacheKey: 'bench-deps-v1' } : {}) },
        { name: 'function code', root: 'var/task', inputs: await inputsOf(path.join(fn, 'code')) },
      ],
    });
    await pushImage(registries, built.image, { registry: host, repository: 'bench/fn-lambda-pack', tag: 'x86_64' }, { store });
  };
  // Asynchronous: the byte-counting proxy runs in this process and must keep serving the engine.
  const dockerBuilds: string[] = [];
  const docker = async () => {
    dockerBuilds.push(String((await execa('docker', ['build', '-q', '-t', dockerTag, '.'], { cwd: fn, stdin: 'ignore' })).stdout).trim());
    await execa('docker', ['push', '-q', dockerTag], { stdin: 'ignore' });
  };
  const change = (version: number) => writeFileSync(path.join(fn, 'code/lib/message.txt'), `hello from the code layer, version ${version}\n`);

  try {
    change(0);
    const first = { lambdaPack: await measure(lambdaPack(true)), docker: await measure(docker) };
    const samples: Record<'remembered' | 'rewritten' | 'docker', Sample[]> = { remembered: [], rewritten: [], docker: [] };
    for (let run = 1; run <= RUNS; run++) {
      change(run);
      samples.remembered.push(await measure(lambdaPack(true)));
      samples.docker.push(await measure(docker));
      change(RUNS + run);
      samples.rewritten.push(await measure(lambdaPack(false)));
    }
    const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
    const row = (name: string, list: Sample[]) => `| ${name} | **${median(list.map((s) => s.seconds)).toFixed(2)} s** | ${mb(median(list.map((s) => s.bytes)))} | ${median(list.map((s) => s.uploads))} | ${list.map((s) => s.seconds.toFixed(2)).join(' ')} |`;
    const section = [
      '## image: code-only change',
      '',
      `An image function (provided.al2023 stand-in base from the local Debian image, ${mb(base.image.layers.reduce((n, l) => n + l.descriptor.size, 0))} compressed;`,
      `a dependency layer of ${mb(depsBytes)} of real npm packages under /var/task/node_modules; a 2-file code layer) after a one-line change`,
      'to a code file, pushed to Debian\'s docker-registry on loopback behind a byte-counting TCP proxy. Median of',
      `${RUNS} alternating runs; bytes = everything the client sent to the registry (requests, headers included); uploads = blob uploads the registry completed (its access log).`,
      '',
      '| what | median time | bytes sent | blob uploads | all runs (s) |',
      '| --- | --- | --- | --- | --- |',
      row('lambda-pack, dependency layer remembered (`cacheKey`)', samples.remembered),
      row('lambda-pack, dependency layer rewritten (same bytes, so not uploaded)', samples.rewritten),
      row('`docker build` + `docker push` (equivalent Dockerfile)', samples.docker),
      '',
      `First push (not in the table): lambda-pack ${first.lambdaPack.seconds.toFixed(2)} s, ${mb(first.lambdaPack.bytes)}, ${first.lambdaPack.uploads} uploads; docker ${first.docker.seconds.toFixed(2)} s, ${mb(first.docker.bytes)}, ${first.docker.uploads} uploads (the base's layers mounted or present in both).`,
      `lambda-pack is timed from reading the sources to the pushed manifest (base manifest read, layers written into its blob store, assembled, pushed); docker from \`docker build\` (sending the context, the COPY layer cache) to the end of \`docker push\`.`,
      `Measured ${new Date().toISOString()} on: nproc ${os.availableParallelism()}, ${os.cpus()[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${sh('docker', ['version', '--format', 'Docker {{.Server.Version}}']).trim()}, load average at the end ${load}.`,
      'Command: `npx tsc bench/image.ts --ignoreConfig --outDir bench/.work/build --rootDir . --module nodenext --target es2022 --types node --strict --skipLibCheck && node bench/.work/build/bench/image.js`',
      '',
    ].join('\n');
    process.stdout.write(`${section}\n`);
    mkdirSync(WORK, { recursive: true });
    writeFileSync(path.join(WORK, 'image-results.md'), section);
  } finally {
    // Each build's image, untagged by the next one, and the tags: only what this run made.
    for (const ref of [standInTag, dockerTag, base.mirrored, ...dockerBuilds]) {
      try { sh('docker', ['rmi', '-f', ref]); } catch { /* not there */ }
    }
    await proxy.close();
    await registry.close();
    if (existsSync(dir) && !process.env['BENCH_KEEP']) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
