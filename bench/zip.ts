// Benchmark: lambda-pack's zip writer against Info-ZIP `zip` on the same ~100 MB tree, side by side in one run.
// Run from the repository root (compiles the benchmark and what it imports, then runs it):
//   npx tsc bench/zip.ts bench/lib/run-writer.ts --ignoreConfig --outDir bench/.work/build --rootDir . --module nodenext --target es2022 --types node --strict --skipLibCheck && node bench/.work/build/bench/zip.js
// Prints a markdown section and writes it to bench/.work/zip-results.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTree } from './lib/tree.js';
import { walkTree } from './lib/walk.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);
const WORK = path.resolve('bench/.work');
const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib/run-writer.js');

interface Run {
  seconds: number;
  bytes: number;
  sha256?: string;
  walkSeconds?: number;
  maxRssMB?: number;
  processSeconds?: number;
  /** user + system CPU of the whole process, all threads */
  cpuSeconds: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function ours(root: string, outFile: string, concurrency: number): Run {
  const started = performance.now();
  const child = spawnSync(process.execPath, [RUNNER, root, outFile, String(concurrency)], { encoding: 'utf8' });
  const processSeconds = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`writer run failed: ${child.stderr}`);
  return { ...(JSON.parse(child.stdout) as Run), processSeconds };
}

async function infoZip(root: string, outFile: string): Promise<Run> {
  await rm(outFile, { force: true }); // zip updates an existing archive instead of replacing it
  const started = performance.now();
  // -X: no extra attributes, -y: store symlinks as links (as ours does), -6: same level.
  // bash's `times` reports the CPU the zip child used (its second line: children's user and system time).
  const child = spawnSync('bash', ['-c', 'zip -X -y -r -6 -q "$1" . && times', 'bash', outFile], { cwd: root, encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`zip failed: ${child.stderr}`);
  const childTimes = child.stdout.trim().split('\n').at(-1) ?? '';
  const cpuSeconds = [...childTimes.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, [, minutes, secs]) => sum + Number(minutes) * 60 + Number(secs), 0);
  return { seconds, bytes: (await stat(outFile)).size, cpuSeconds };
}

async function machine(): Promise<string> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? 'unknown';
  const zipVersion = /This is Zip ([^ ]+)/.exec(execFileSync('zip', ['-v'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  return `nproc ${os.availableParallelism()}, CPU "${model}", ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, Info-ZIP ${zipVersion}, ${os.platform()} ${os.release()}`;
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

async function main(): Promise<void> {
  const tree = await ensureTree(WORK);
  const loadBefore = os.loadavg().map((load) => load.toFixed(2)).join(' ');
  const walked = walkTree(tree.root);
  const outDir = path.join(WORK, 'out');
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const concurrency = Math.min(os.availableParallelism(), 4);

  // Warm the page cache for both, then alternate so neither gets a systematically warmer machine.
  ours(tree.root, path.join(outDir, 'warm.zip'), concurrency);
  await infoZip(tree.root, path.join(outDir, 'info-zip.zip'));
  const runs = { parallel: [] as Run[], serial: [] as Run[], infoZip: [] as Run[] };
  for (let index = 0; index < RUNS; index++) {
    runs.parallel.push(ours(tree.root, path.join(outDir, `ours-c${concurrency}-${index}.zip`), concurrency));
    runs.infoZip.push(await infoZip(tree.root, path.join(outDir, 'info-zip.zip')));
    runs.serial.push(ours(tree.root, path.join(outDir, `ours-c1-${index}.zip`), 1));
    process.stderr.write(`run ${index + 1}/${RUNS}: ours ${runs.parallel.at(-1)!.seconds.toFixed(2)} s, zip ${runs.infoZip.at(-1)!.seconds.toFixed(2)} s\n`);
  }

  const hashes = new Set([...runs.parallel, ...runs.serial].map((run) => run.sha256));
  const lastOurs = path.join(outDir, `ours-c${concurrency}-${RUNS - 1}.zip`);
  execFileSync('unzip', ['-tq', lastOurs]);

  const row = (label: string, list: Run[]): string => {
    const seconds = median(list.map((run) => run.seconds));
    const rss = list[0]?.maxRssMB === undefined ? 'n/a' : `${Math.round(Math.max(...list.map((run) => run.maxRssMB!)))} MB`;
    const whole = list[0]?.processSeconds === undefined ? '' : ` (whole process ${median(list.map((run) => run.processSeconds!)).toFixed(2)} s)`;
    const cpu = median(list.map((run) => run.cpuSeconds));
    return `| ${label} | ${seconds.toFixed(2)} s${whole} | ${(walked.bytes / 1e6 / seconds).toFixed(1)} | ${cpu.toFixed(2)} s | ${mb(list[0]!.bytes)} MB | ${rss} | ${list.map((run) => run.seconds.toFixed(2)).join(' ')} |`;
  };
  const speedup = median(runs.infoZip.map((run) => run.seconds)) / median(runs.parallel.map((run) => run.seconds));
  // Neighbouring runs share the machine's load, so their ratios are steadier than a ratio of medians on a shared machine.
  const pairedSpeedup = median(runs.parallel.map((run, index) => runs.infoZip[index]!.seconds / run.seconds));
  const fastest = (list: Run[]): number => Math.min(...list.map((run) => run.seconds));
  const bestSpeedup = fastest(runs.infoZip) / fastest(runs.parallel);
  const section = [
    `Measured ${new Date().toISOString()} on: ${await machine()}.`,
    '',
    `Tree: ${walked.files} files, ${walked.directories} directories, ${walked.symlinks} symlinks, ${mb(walked.bytes)} MB;`,
    `npm packages ${tree.packages.join(', ')}; large files ${tree.largeFiles.join(', ')}.`,
    '',
    `Median of ${RUNS} runs each, alternating, warm page cache. MB/s = input MB (10^6 bytes) / median seconds.`,
    'Ours is timed inside a fresh Node process from walking the tree to the renamed, fsynced zip; Info-ZIP as the whole `zip -X -y -r -6 -q` process.',
    '',
    '| writer | median time | MB/s | median CPU (user+sys) | zip size | peak RSS | all runs (s) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    row(`lambda-pack, concurrency ${concurrency}`, runs.parallel),
    row('lambda-pack, concurrency 1', runs.serial),
    row('Info-ZIP zip 3.0 -6', runs.infoZip),
    '',
    `Throughput ratio, lambda-pack (concurrency ${concurrency}) / Info-ZIP: **${speedup.toFixed(2)}x** (ratio of medians);`,
    `median of the ${RUNS} paired ratios (each run of ours against the Info-ZIP run right after it): ${pairedSpeedup.toFixed(2)}x;`,
    `fastest against fastest (${fastest(runs.parallel).toFixed(2)} s vs ${fastest(runs.infoZip).toFixed(2)} s): ${bestSpeedup.toFixed(2)}x.`,
    `Load average (1, 5, 15 min) before the runs: ${loadBefore}; after: ${os.loadavg().map((load) => load.toFixed(2)).join(' ')}.`,
    `Tree walk inside our time: median ${median(runs.parallel.map((run) => run.walkSeconds!)).toFixed(2)} s.`,
    `Our ${runs.parallel.length + runs.serial.length} zips (concurrency ${concurrency} and 1): ${hashes.size === 1 ? 'byte-identical' : `NOT identical (${hashes.size} distinct hashes)`}, sha256 ${[...hashes].join(', ')}; \`unzip -t\` passes.`,
  ].join('\n');
  await writeFile(path.join(WORK, 'zip-results.md'), `${section}\n`);
  console.log(section);
  if (hashes.size !== 1) process.exitCode = 1;
}

await main();
