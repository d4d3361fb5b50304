// The bad input matrix (issue 6): every row is refused with exit 2 (config, usage) or 1 (build),
// one message naming the file, field, function or flag and the fix, no stack trace, no new zip,
// and the previous zip and manifest left byte-identical. Then the names that must package as
// they are: spaces, unicode, a tab and a newline.
import { chownSync, readdirSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, type CliResult } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import { tempProject, type TempProject } from '../helpers/project.js';
import { BUILDER_USER, buildAsUser } from '../helpers/user.js';
import { sha256, zipEntries } from '../helpers/zip.js';
import { BAD_INPUTS, INDEX, type BadInput, type KnownImages } from './bad-input.cases.js';

const PREVIOUS = ['api-x86_64.zip', 'manifest.json'];
let known: KnownImages;

beforeAll(async () => {
  await requireEngine();
  // The local arm64 Node image, as `images build` names it (it builds nothing when it is current).
  const images = await lambdaPack(['images', 'build', '--arch', 'arm64']);
  const nodeArm64 = /^nodejs22\.x arm64: (\S+)$/m.exec(images.stderr)?.[1];
  if (images.exitCode !== 0 || !nodeArm64) throw new Error(`lambda-pack images build failed: ${images.stderr}`);
  known = { nodeArm64 };
}, 600_000);

/** A previous build's output: a zip and a manifest that name this case, and their hashes. */
async function previousBuild(outDir: TempProject, dir: string, label: string): Promise<Record<string, string>> {
  outDir.file(path.join(dir, 'dist/api-x86_64.zip'), `previous zip of ${label}\n`);
  const zip = path.join(outDir.root, dir, 'dist/api-x86_64.zip');
  outDir.file(path.join(dir, 'dist/manifest.json'), `${JSON.stringify({ version: 1, artifacts: [{
    name: 'api', kind: 'function', runtime: 'nodejs22.x', runtimes: ['nodejs22.x'], arch: 'x86_64', builder: 'copy', path: 'api-x86_64.zip',
    zippedBytes: 1, unzippedBytes: 1, entries: 1, sha256: await sha256(zip), codeSha256: '', image: null, cacheHit: false, action: 'rebuild',
    dependencyKey: null, inputKey: `previous ${label}`, durationMs: 1, findings: [],
  }] }, null, 2)}\n`);
  return hashes(path.join(outDir.root, dir, 'dist'));
}

async function hashes(dist: string): Promise<Record<string, string>> {
  return Object.fromEntries(await Promise.all(readdirSync(dist).sort().map(async (f) => [f, await sha256(path.join(dist, f))])));
}

/** Every zip anywhere in the project (links are not followed, so loops and escapes are harmless). */
function zipsIn(root: string): string[] {
  return (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.zip')).sort();
}

async function setUp(row: BadInput): Promise<{ project: TempProject; dir: string; before: Record<string, string> }> {
  const project = tempProject(row.files ?? { 'fn/index.js': INDEX });
  const dir = row.dir ?? '.';
  const config = typeof row.config === 'function' ? row.config(known) : row.config;
  if (config !== undefined) project.file(path.join(dir, 'lambda-pack.config.yaml'), config);
  await row.setup?.(project);
  return { project, dir, before: await previousBuild(project, dir, row.name) };
}

/** Runs the row as root or, where mode bits matter, as a non-root user on a copy it owns. */
async function run(row: BadInput, project: TempProject, dir: string): Promise<{ result: CliResult; cleanup: () => void }> {
  const json = row.code ? ['--json'] : [];
  if (!row.asUser) {
    return { result: await lambdaPack(['build', ...json, ...(row.args ?? [])], { cwd: path.join(project.root, dir) }), cleanup: () => {} };
  }
  // The user writes to the original dist/ (the copy leaves dist/ out), so the previous zip is checked where it was.
  const dist = path.join(project.root, dir, 'dist');
  chmodSync(project.root, 0o755);
  const uid = Number((await execa('sh', ['-c', `id -u ${BUILDER_USER} 2>/dev/null || (useradd --create-home --groups docker ${BUILDER_USER} && id -u ${BUILDER_USER})`])).stdout);
  for (const f of ['', ...readdirSync(dist)]) chownSync(path.join(dist, f), uid, 0);
  const build = await buildAsUser(path.join(project.root, dir), '.', ['--out', dist, ...json, ...(row.args ?? [])]);
  return { result: { exitCode: build.exitCode, stdout: '', stderr: build.stderr, ms: 0 }, cleanup: () => rmSync(build.home, { recursive: true, force: true }) };
}

/** What the user reads: stderr, and for --json the failures' messages and log tails on stdout. */
function message(row: BadInput, result: CliResult): string {
  if (!row.code) return result.stderr;
  const report = JSON.parse(result.stdout) as { ok: boolean; failures: { code: string; message: string; logTail?: string }[] };
  expect(report.ok).toBe(false);
  expect(report.failures.map((f) => f.code)).toEqual([row.code]);
  return report.failures.map((f) => `${f.message}\n${f.logTail ?? ''}`).join('\n');
}

describe('the bad input matrix', () => {
  it('has at least 30 rows, each with a name of its own', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(BAD_INPUTS.map((r) => r.name)).size).toBe(BAD_INPUTS.length);
  });

  it.each(BAD_INPUTS)('refuses $name with exit $exit, naming where and the fix, and keeps the previous zip', async (row) => {
    const { project, dir, before } = await setUp(row);
    const { result, cleanup } = await run(row, project, dir);
    try {
      expect(result.exitCode, result.stderr).toBe(row.exit);
      const said = message(row, result);
      for (const where of row.where) expect(said).toMatch(where);
      expect(said).toMatch(row.fix);
      expect(`${result.stderr}\n${result.stdout}`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(result.stderr).not.toContain('internal error');
      // No new zip, no staged or temp file beside the previous ones, and those byte-identical.
      const dist = path.join(project.root, dir, 'dist');
      expect(readdirSync(dist).sort()).toEqual(PREVIOUS);
      expect(await hashes(dist)).toEqual(before);
      expect(zipsIn(project.root)).toEqual([path.join(dir, 'dist/api-x86_64.zip')]);
    } finally {
      cleanup();
      project.remove();
    }
  }, 300_000);
});

describe('file names that are unusual but valid', () => {
  const NAMES = ['with space.txt', 'héllo wörld 日本語.txt', 'tab\there.txt', 'sub dir/new\nline.txt', 'emoji 🎉/ünïcode.js'];
  let project: TempProject;
  let result: CliResult;

  beforeAll(async () => {
    project = tempProject({ 'fn/index.js': INDEX, ...Object.fromEntries(NAMES.map((n) => [`fn/${n}`, `content of ${n}\n`])) });
    project.file('lambda-pack.config.yaml', 'imageSet: local\nfunctions:\n  api:\n    runtime: nodejs22.x\n    source: fn\n    handler: index.handler\n');
    await previousBuild(project, '.', 'unusual names');
    result = await lambdaPack(['build'], { cwd: project.root });
  });

  afterAll(() => project.remove());

  it('packages them under their own names, replacing the previous zip', async () => {
    expect(result.exitCode, result.stderr).toBe(0);
    const zip = path.join(project.root, 'dist/api-x86_64.zip');
    const files = (await zipEntries(zip)).filter((e) => !e.endsWith('/'));
    // Info-ZIP shows control characters as ^I, ^J.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this test names files with
    const shown = (name: string) => name.replace(/[\x00-\x1f]/g, (c) => `^${String.fromCharCode(c.charCodeAt(0) + 64)}`);
    expect(files.sort()).toEqual(['index.js', ...NAMES].map(shown).sort());
    const manifest = JSON.parse(readFileSync(path.join(project.root, 'dist/manifest.json'), 'utf8'));
    expect(manifest.artifacts[0]).toMatchObject({ name: 'api', sha256: await sha256(zip), entries: expect.any(Number) });
  });

  it('round-trips names and contents through Python\'s zipfile, with the UTF-8 flag where needed', async () => {
    const script = [
      'import json, sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[1])',
      'print(json.dumps({i.filename: [z.read(i).decode(), bool(i.flag_bits & 0x800)] for i in z.infolist() if not i.is_dir()}))',
    ].join('\n');
    const { stdout } = await execa('python3', ['-c', script, path.join(project.root, 'dist/api-x86_64.zip')]);
    const read = JSON.parse(stdout) as Record<string, [string, boolean]>;
    for (const name of NAMES) {
      expect(read[name], name).toEqual([`content of ${name}\n`, /[^\x20-\x7e]/.test(name.replace(/[\t\n]/g, ''))]);
    }
  });
});
