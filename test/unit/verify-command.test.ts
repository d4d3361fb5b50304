// `lambda-pack verify` as the CLI calls it: bad usage is a ConfigError, --json writes exactly one
// document to stdout, human text goes to stderr grouped by file, and the exit code follows errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { RUNTIME_IDS } from '../../src/runtimes.js';
import { verifyCommand } from '../../src/cli/verify-command.js';
import { corpusDir, corpusFile, makeZip } from '../verify-corpus/corpus.js';

beforeAll(() => void corpusDir(), 15 * 60_000);

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(zips: string[], opts: Parameters<typeof verifyCommand>[1]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await verifyCommand(zips, opts, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

const scratch = mkdtempSync(join(tmpdir(), 'lambda-pack-verify-command-'));
const clean = (): string => makeZip([{ name: 'index.mjs', text: 'export const handler = async () => 1;\n' }]);

describe('verifyCommand usage errors', () => {
  it('rejects an unknown runtime, listing the valid ones', async () => {
    const error = await configError(run([clean()], { runtime: 'nodejs16.x', arch: 'x86_64' }));
    expect(error.code).toBe('UNKNOWN_RUNTIME');
    for (const id of RUNTIME_IDS) expect(error.message).toContain(id);
  });

  it('rejects an unknown architecture', async () => {
    expect((await configError(run([clean()], { runtime: 'nodejs22.x', arch: 'amd64' }))).code).toBe('UNKNOWN_ARCH');
  });

  it('rejects a missing file, a directory and a file that is not a zip', async () => {
    expect((await configError(run([join(scratch, 'nope.zip')], { runtime: 'nodejs22.x', arch: 'x86_64' }))).code).toBe('ZIP_NOT_FOUND');
    expect((await configError(run([scratch], { runtime: 'nodejs22.x', arch: 'x86_64' }))).code).toBe('NOT_A_ZIP');
    const text = join(scratch, 'notes.zip');
    writeFileSync(text, 'not a zip at all\n');
    const error = await configError(run([text], { runtime: 'nodejs22.x', arch: 'x86_64' }));
    expect(error.code).toBe('NOT_A_ZIP');
    expect(error.message).toContain('notes.zip');
  });

  it('rejects a missing layer zip too', async () => {
    expect((await configError(run([clean()], { runtime: 'nodejs22.x', arch: 'x86_64', layers: `${join(scratch, 'gone.zip')}` }))).code).toBe('ZIP_NOT_FOUND');
  });
});

describe('verifyCommand output and exit code', () => {
  it('--json writes one document with exactly the documented fields, nothing to stderr, and exits 1 on errors', async () => {
    const bad = makeZip([{ name: 'bootstrap', file: corpusFile('npm/esbuild-linux-arm64', /^package\/bin\/esbuild$/), mode: 0o755 }]);
    const { code, stdout, stderr } = await run([clean(), bad], { runtime: 'provided.al2023', arch: 'x86_64', json: true });
    expect(code).toBe(1);
    expect(stderr).toBe('');
    const document = JSON.parse(stdout) as { results: Array<Record<string, unknown>> };
    expect(Object.keys(document)).toEqual(['results']);
    expect(document.results.map((r) => Object.keys(r))).toEqual([['zip', 'runtime', 'arch', 'ok', 'findings'], ['zip', 'runtime', 'arch', 'ok', 'findings']]);
    expect(document.results[0]).toMatchObject({ runtime: 'provided.al2023', arch: 'x86_64', ok: false, findings: [{ code: 'BOOTSTRAP_MISSING', severity: 'error', path: 'bootstrap' }] });
    expect(document.results[1]).toMatchObject({ ok: false, findings: [{ code: 'ARCH_MISMATCH', severity: 'error', path: 'bootstrap', message: expect.any(String), fix: expect.any(String) }] });
  });

  it('exits 0 when there are only warnings, and writes human text to stderr only', async () => {
    const layer = makeZip([{ name: 'node_modules/a/index.js', text: 'x' }]);
    const { code, stdout, stderr } = await run([layer], { runtime: 'nodejs22.x', arch: 'x86_64', layer: true });
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain('warning OUTSIDE_LAYER_PATHS');
    expect(stderr).toContain(': ok');
  });

  it('groups human findings by file, each with its fix', async () => {
    const zip = makeZip([
      { name: 'index.js', text: 'x', mode: 0o600 },
      { name: 'node_modules/fsevents/fsevents.node', file: corpusFile('npm/fsevents', /^package\/fsevents\.node$/), mode: 0o600 },
    ]);
    const { code, stderr } = await run([zip], { runtime: 'nodejs22.x', arch: 'x86_64', handler: 'app.handler' });
    expect(code).toBe(1);
    const lines = stderr.split('\n');
    expect(lines[0]).toMatch(/\(nodejs22\.x, x86_64\): FAILED — 4 errors$/);
    const fsevents = lines.indexOf('  node_modules/fsevents/fsevents.node');
    expect(fsevents).toBeGreaterThan(0);
    expect(lines.slice(fsevents + 1, fsevents + 5).map((l) => l.trim().split(':')[0])).toEqual(['error NOT_LINUX_BINARY', 'fix', 'error UNREADABLE_FILE', 'fix']);
    expect(stderr).toContain('error HANDLER_NOT_FOUND');
  });
});
