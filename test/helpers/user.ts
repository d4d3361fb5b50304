// Runs lambda-pack as a non-root user that can reach the engine, on a copy of a project it owns.
import { cpSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { CLI } from './cli.js';

export const BUILDER_USER = 'lpbuilder';

export interface UserBuild { readonly home: string; readonly uid: number; readonly exitCode: number; readonly stderr: string; readonly outDir: string }

/** Creates the user (in the docker group) unless it exists; its uid. */
export async function ensureBuilderUser(): Promise<number> {
  await execa('sh', ['-c', `id -u ${BUILDER_USER} >/dev/null 2>&1 || useradd --create-home --groups docker ${BUILDER_USER}`]);
  return Number((await execa('id', ['-u', BUILDER_USER])).stdout);
}

/** Copies `from` (without dist/ and node_modules/) to a home owned by the user and builds there. */
export async function buildAsUser(from: string, projectSubdir: string, args: readonly string[]): Promise<UserBuild> {
  const uid = await ensureBuilderUser();
  const home = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-user-'));
  const copy = path.join(home, 'project');
  cpSync(from, copy, { recursive: true, filter: (src) => !/[/\\](dist|node_modules)$/.test(src) });
  await execa('chown', ['-R', `${BUILDER_USER}:${BUILDER_USER}`, home]);
  await execa('chmod', ['755', home]);
  const outDir = path.join(home, 'out');
  const quoted = args.map((a) => `'${a}'`).join(' ');
  const result = await execa('su', [BUILDER_USER, '-s', '/bin/sh', '-c',
    `cd '${path.join(copy, projectSubdir)}' && LAMBDA_PACK_CACHE_DIR='${home}/cache' CI=true node '${CLI}' build --out '${outDir}' ${quoted}`], { reject: false });
  return { home, uid, exitCode: result.exitCode ?? -1, stderr: String(result.stderr), outDir };
}

/** Every file and directory under `dir` whose owner is not `uid`. */
export function notOwnedBy(dir: string, uid: number): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => statSync(path.join(dir, f)).uid !== uid);
}
