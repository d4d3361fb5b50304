// Package managers on the test machine itself, pinned and installed once from the npm registry
// into the temp directory: a Node project is prepared as its developer would (pnpm install on the
// host, which bundling needs), never by lambda-pack.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

/** The executable `bin` of the npm package `spec` (e.g. pnpm@10.34.9), installed if missing. */
export async function hostTool(spec: string, bin: string): Promise<string> {
  const prefix = path.join(os.tmpdir(), 'lambda-pack-test-tools', spec.replace('/', '+'));
  const file = path.join(prefix, 'bin', bin);
  if (!existsSync(file)) await execa('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', spec]);
  return file;
}

/** pnpm 10.34.9 (the pnpm fixtures' packageManager) run in `cwd`. */
export async function pnpm(cwd: string, args: readonly string[]): Promise<void> {
  await execa(await hostTool('pnpm@10.34.9', 'pnpm'), args, { cwd, env: { COREPACK_ENABLE_STRICT: '0', CI: '1' } });
}
