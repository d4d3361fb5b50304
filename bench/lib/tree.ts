// Builds the benchmark's input once under bench/.work/tree: a real node_modules plus a few large binaries.
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Popular packages: many small JS/.d.ts files (date-fns, lodash, rxjs) and a few big ones (typescript). */
const PACKAGES = [
  'typescript@5.6.3',
  'lodash@4.17.21',
  '@types/node@20.17.10',
  'rxjs@7.8.1',
  'date-fns@3.6.0',
  'moment@2.30.1',
  'express@4.21.2',
  'uuid@9.0.1',
];

/** Large native binaries as a Lambda layer might carry; the first ones present are used, up to LARGE_BUDGET bytes. */
const LARGE_CANDIDATES = ['/usr/bin/ctr', '/usr/bin/qemu-aarch64-static', '/usr/lib/x86_64-linux-gnu/libicudata.so.72.1', process.execPath];
const LARGE_BUDGET = 40e6;

export interface BenchTree {
  root: string;
  packages: string[];
  largeFiles: string[];
}

export async function ensureTree(workDir: string): Promise<BenchTree> {
  const root = path.join(workDir, 'tree');
  const marker = path.join(workDir, 'tree.json');
  const existing = await readFile(marker, 'utf8').then((text) => JSON.parse(text) as BenchTree, () => undefined);
  if (existing && existing.root === root) return existing;

  await mkdir(root, { recursive: true });
  await writeFile(path.join(root, 'package.json'), '{ "name": "bench-tree", "private": true }\n');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', ...PACKAGES], { cwd: root, stdio: 'inherit' });

  const largeFiles: string[] = [];
  let budget = LARGE_BUDGET;
  await mkdir(path.join(root, 'bin'), { recursive: true });
  for (const candidate of LARGE_CANDIDATES) {
    const size = await stat(candidate).then((stats) => stats.size, () => undefined);
    if (size === undefined || (largeFiles.length > 0 && size > budget)) continue;
    await copyFile(candidate, path.join(root, 'bin', path.basename(candidate)));
    largeFiles.push(`${candidate} (${(size / 1e6).toFixed(1)} MB)`);
    budget -= size;
    if (budget <= 0) break;
  }
  const tree = { root, packages: PACKAGES, largeFiles };
  await writeFile(marker, JSON.stringify(tree, null, 2));
  return tree;
}
