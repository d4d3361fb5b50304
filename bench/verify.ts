// Benchmark: `lambda-pack verify` on a ~200 MB node_modules-style zip made by Info-ZIP.
// Run from the repository root (compiles the benchmark and what it imports, then runs it):
//   npx tsc bench/verify.ts --ignoreConfig --outDir bench/.work/build --rootDir . --module nodenext --target es2022 --types node --strict --skipLibCheck && node bench/.work/build/bench/verify.js
// The input is real: the zip-writer benchmark's npm-installed tree (bench/lib/tree.ts) three times, this
// repository's own node_modules (with its native .node and Go binaries) three times, and the verify
// test corpus's npm packages (prebuilt binaries for linux, darwin, win32, freebsd). Built once under
// bench/.work/verify/, then verified BENCH_RUNS times (default 7) in this process.
// Prints a markdown section and writes it to bench/.work/verify-results.md.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { architecture, runtime } from '../src/runtimes.js';
import { verifyZip } from '../src/verify/index.js';
import { ensureTree } from './lib/tree.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);
const WORK = path.resolve('bench/.work');
const INPUT = path.join(WORK, 'verify', 'input');
const ZIP = path.join(WORK, 'verify', 'node_modules-style.zip');
const TARGET_ZIPPED_BYTES = 200e6;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function buildZip(): Promise<void> {
  if (existsSync(ZIP)) return;
  const tree = await ensureTree(WORK);
  const corpus = execFileSync('bash', ['test/verify-corpus/fetch.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  rmSync(INPUT, { recursive: true, force: true });
  const links: Record<string, string> = {
    'node_modules': path.join(tree.root, 'node_modules'),
    'packages/web/node_modules': path.join(tree.root, 'node_modules'),
    'packages/admin/node_modules': path.join(tree.root, 'node_modules'),
    'packages/tools/node_modules': path.resolve('node_modules'),
    'packages/cli/node_modules': path.resolve('node_modules'),
    'packages/api/node_modules': path.resolve('node_modules'),
    'vendor/npm': path.join(corpus, 'npm'),
    'bin': path.join(tree.root, 'bin'),
  };
  for (const [link, target] of Object.entries(links)) {
    mkdirSync(path.dirname(path.join(INPUT, link)), { recursive: true });
    symlinkSync(target, path.join(INPUT, link));
  }
  writeFileSync(path.join(INPUT, 'index.js'), 'exports.handler = async () => ({ statusCode: 200 });\n');
  // Info-ZIP follows the directory symlinks (no -y), so the zip holds real copies.
  execFileSync('zip', ['-q', '-r', '-6', `${ZIP}.partial`, '.'], { cwd: INPUT, stdio: 'inherit' });
  rmSync(ZIP, { force: true });
  execFileSync('mv', [`${ZIP}.partial`, ZIP]);
}

async function main(): Promise<void> {
  await buildZip();
  const zippedBytes = statSync(ZIP).size;
  if (zippedBytes < TARGET_ZIPPED_BYTES) throw new Error(`benchmark zip is only ${zippedBytes} bytes; delete ${ZIP} and add inputs`);
  const options = { runtime: runtime('nodejs22.x'), arch: architecture('x86_64') };
  const seconds: number[] = [];
  let summary = '';
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const result = await verifyZip(ZIP, options);
    seconds.push((performance.now() - started) / 1000);
    const codes = [...new Set(result.findings.map((f) => f.code))].sort().join(', ');
    summary = `${result.findings.length} findings (${codes}); ${result.unzippedBytes} bytes unzipped`;
  }
  const entries = execFileSync('unzip', ['-Z1', ZIP], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n').filter(Boolean).length;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const section = [
    '## verify',
    '',
    `Verifying a node_modules-style zip of ${(zippedBytes / 1e6).toFixed(1)} MB (${entries} entries, ${summary}), built by Info-ZIP \`zip -6\` from real npm installs plus prebuilt native binaries.`,
    '',
    `| runs | median | min | max |`,
    `|---|---|---|---|`,
    `| ${RUNS} | **${median(seconds).toFixed(2)} s** | ${Math.min(...seconds).toFixed(2)} s | ${Math.max(...seconds).toFixed(2)} s |`,
    '',
    `Each run: \`verifyZip(zip, { runtime: nodejs22.x, arch: x86_64 })\` in one Node ${process.version} process (page cache warm). Runs: ${seconds.map((s) => s.toFixed(2)).join(', ')} s.`,
    `Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}; ${new Date().toISOString().slice(0, 10)}.`,
    'Command: `npx tsc bench/verify.ts --ignoreConfig --outDir bench/.work/build --rootDir . --module nodenext --target es2022 --types node --strict --skipLibCheck && node bench/.work/build/bench/verify.js`',
    '',
  ].join('\n');
  writeFileSync(path.join(WORK, 'verify-results.md'), section);
  process.stdout.write(section);
}

await main();
