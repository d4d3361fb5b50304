// Runs the compiled CLI (dist/, as users get it) and reports what it printed and how it ended.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(REPO, 'dist/cli/main.js');

export interface CliResult { exitCode: number; stdout: string; stderr: string; ms: number }

export async function lambdaPack(args: readonly string[], options: Options = {}): Promise<CliResult> {
  const started = Date.now();
  const result = await execa('node', [CLI, ...args], { reject: false, stdin: 'ignore', ...options, env: { CI: 'true', ...options.env } });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr), ms: Date.now() - started };
}
