// `lambda-pack build` on the Python fixtures, for x86_64 and arm64, against a real package index:
// a vendored sdist (requirements.txt), Pipfile.lock (index URL through passEnv), uv.lock (locked
// from PyPI, served by a mirror; the project built, an extra chosen) and poetry.lock (locked here
// by the real Poetry; wheels only, cross-built for arm64). For arm64 the sdists of requirements.txt
// and uv.lock cross-compile under the proof; Pipfile.lock's (it names no files) compile emulated.
// Two cold builds are byte-identical (every x86_64 task, and the cross-compiled arm64 ones);
// every function is called in a container of its architecture; the dev group and the
// Windows-only package never ship; a private index's token reaches nothing lambda-pack writes.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/package/manifest.js';
import type { ArchName } from '../../src/runtimes.js';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine, runWithMounts } from '../helpers/docker.js';
import { poetryLock } from '../helpers/lock-tools.js';
import { localPythonImage } from '../helpers/pip-steps.js';
import { assembleIndex, makeCertificates, startPythonIndex, type PythonIndex } from '../helpers/python-index.js';
import { elfMachine, extractZip, sha256, zipEntries } from '../helpers/zip.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-python-build-'));
const cache = path.join(root, 'cache');
const temp: string[] = [root];
let index: PythonIndex;
let env: Record<string, string>;
const manifests: Manifest[] = [];
const ARCHES: readonly ArchName[] = ['x86_64', 'arm64'];
const CONFIG = `imageSet: local
certificates: system
architectures: [x86_64, arm64]
functions:
  sums: { runtime: python3.11, source: sdist, handler: app.handler }
  pipenvfn: { runtime: python3.11, source: pipenv, handler: app.handler, passEnv: [LAMBDA_PACK_TEST_INDEX, PIP_TRUSTED_HOST] }
  uvfn: { runtime: python3.11, source: uv, handler: uvfn.handler.handler, passEnv: [PIP_INDEX_URL, PIP_TRUSTED_HOST], extras: [bits] }
  poetryfn: { runtime: python3.11, source: poetry, handler: app.handler }
`;

const zip = (run: number, name: string, arch: ArchName) => path.join(root, `out-${run}${run === 2 && arch === 'arm64' ? '-arm64' : ''}`, `${name}-${arch}.zip`);

async function call(name: string, arch: ArchName, event: object): Promise<Record<string, unknown>> {
  const dir = await extractZip(zip(1, name, arch));
  temp.push(dir);
  const module = name === 'uvfn' ? 'uvfn.handler' : 'app';
  // The events hold numbers and strings only: their JSON is a Python dict literal.
  // The python3.11 image of the architecture (a cross-built zip's own build image is x86_64's).
  const stdout = await runWithMounts(await localPythonImage(arch), arch, [{ dir, target: '/var/task' }],
    `cd /var/task && python3.11 -c 'import json, ${module}; print(json.dumps(${module}.handler(${JSON.stringify(event)}, None), sort_keys=True))'`);
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

beforeAll(async () => {
  await requireEngine();
  index = await startPythonIndex(assembleIndex(path.join(root, 'index')));
  for (const [fixture, dir] of [['python-sdist', 'sdist'], ['python-pipenv', 'pipenv'], ['python-uv', 'uv'], ['python-poetry', 'poetry']]) {
    cpSync(path.join(REPO, 'fixtures', fixture!, 'function'), path.join(root, 'project', dir!), { recursive: true });
  }
  writeFileSync(path.join(root, 'project', 'lambda-pack.config.yaml'), CONFIG);
  await poetryLock(path.join(root, 'project', 'poetry'), index.url);
  const host = new URL(index.url).host;
  env = { LAMBDA_PACK_CACHE_DIR: cache, LAMBDA_PACK_TEST_INDEX: index.url, PIP_INDEX_URL: index.url, PIP_TRUSTED_HOST: host };
  // The second cold build repeats every x86_64 task and the cross-compiled arm64 ones (not the emulated, slow one).
  for (const [run, args] of [[1, []], [2, ['--arch', 'x86_64']], [2, ['sums', 'uvfn', '--arch', 'arm64']]] as const) {
    const out = path.join(root, `out-${run}${args[0] === 'sums' ? '-arm64' : ''}`);
    const result = await lambdaPack(['build', '--no-cache', '--out', out, ...args], { cwd: path.join(root, 'project'), env });
    expect(result.exitCode, result.stderr).toBe(0);
    manifests.push(JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as Manifest);
  }
}, 1_500_000);

afterAll(async () => {
  await index?.close();
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});

describe('two cold builds', () => {
  it('give byte-identical zips: every x86_64 function, and the cross-compiled arm64 ones', async () => {
    expect(manifests[0]!.artifacts).toHaveLength(8);
    const again = [...manifests[1]!.artifacts, ...manifests[2]!.artifacts].map((a) => `${a.name}-${a.arch}`);
    expect(again.sort()).toEqual(['pipenvfn-x86_64', 'poetryfn-x86_64', 'sums-arm64', 'sums-x86_64', 'uvfn-arm64', 'uvfn-x86_64']);
    for (const id of again) {
      const [name, arch] = id.split('-') as [string, ArchName];
      expect(await sha256(zip(2, name, arch)), id).toBe(await sha256(zip(1, name, arch)));
    }
  });

  it('cross-build the wheels-only poetry.lock for arm64 and cross-compile the sdists it can judge, the proof passing; Pipfile.lock\'s compile emulated', () => {
    const built = (name: string) => manifests[0]!.artifacts.find((a) => a.name === name && a.arch === 'arm64')!;
    expect(built('poetryfn').strategy).toBe('cross');
    for (const name of ['sums', 'uvfn']) {
      expect(built(name), name).toMatchObject({ strategy: 'cross', findings: [] });
      expect(built(name).fallback, name).toBeUndefined();
    }
    expect(built('pipenvfn').strategy).toBe('emulated');
  });
});

describe.each(ARCHES)('on %s', (arch) => {
  const machine = arch === 'x86_64' ? 62 : 183;
  const gnu = arch === 'x86_64' ? 'x86_64' : 'aarch64';

  it('ship the extensions of that architecture, and neither the dev group nor the Windows-only package', async () => {
    const entries = async (name: string) => zipEntries(zip(1, name, arch));
    expect((await entries('sums')).filter((e) => e.endsWith('.so'))).toEqual([`cfast.cpython-311-${gnu}-linux-gnu.so`]);
    expect((await entries('pipenvfn')).filter((e) => e.endsWith('.so'))).toEqual([`cfast.cpython-311-${gnu}-linux-gnu.so`, `markupsafe/_speedups.cpython-311-${gnu}-linux-gnu.so`]);
    expect((await entries('uvfn')).filter((e) => e.endsWith('.so'))).toEqual([`bitcount.cpython-311-${gnu}-linux-gnu.so`, `cfast.cpython-311-${gnu}-linux-gnu.so`, `markupsafe/_speedups.cpython-311-${gnu}-linux-gnu.so`]);
    expect((await entries('poetryfn')).filter((e) => e.endsWith('.so'))).toEqual([`bitcount.cpython-311-${gnu}-linux-gnu.so`]);
    for (const name of ['pipenvfn', 'uvfn', 'poetryfn']) {
      const all = await entries(name);
      expect(all.filter((e) => /^(winlog|wheel)[/-]/.test(e)), name).toEqual([]);
      expect(all.filter((e) => /(^|\/)(uv|poetry|Pipfile)\.lock$|^Pipfile$/.test(e)), name).toEqual([]);
    }
    const dir = await extractZip(zip(1, 'sums', arch));
    temp.push(dir);
    expect(await elfMachine(path.join(dir, `cfast.cpython-311-${gnu}-linux-gnu.so`))).toBe(machine);
  });

  it('run: each handler imports its extensions and computes', async () => {
    expect(await call('sums', arch, { numbers: [1, 2, 3] })).toEqual({ module: `cfast.cpython-311-${gnu}-linux-gnu.so`, total: 6 });
    expect(await call('pipenvfn', arch, { numbers: [4], text: '<i>' })).toEqual({ html: '&lt;i&gt;', speedups: 'markupsafe', total: 4 });
    expect(await call('uvfn', arch, { numbers: [5, 6] })).toEqual({ bits: 10, html: '&lt;b&gt;', machine: gnu, total: 11 });
    expect(await call('poetryfn', arch, { body: 'ab' })).toMatchObject({ bytes: 2, ones: 6, machine: gnu });
  });
});

describe('the cache follows what is installed', () => {
  it('reuses the zips when uv.lock changes only for another platform, and rebuilds when an installed package changes', async () => {
    const lock = path.join(root, 'project', 'uv', 'uv.lock');
    const original = readFileSync(lock, 'utf8');
    const planned = async () => {
      const result = await lambdaPack(['plan', '--json', 'uvfn', '--out', path.join(root, 'out-1')], { cwd: path.join(root, 'project'), env });
      expect(result.exitCode, result.stderr).toBe(0);
      return (JSON.parse(result.stdout).tasks as { id: string; action: string }[]).map((t) => `${t.id} ${t.action}`);
    };
    try {
      // A new winlog release (Windows only) and a new wheel release (the dev group): nothing Lambda installs.
      writeFileSync(lock, original.replace('28cdc1bb45156347586e8bc05149c78e9a6fe3a6939812ff366e6b0072b6ff45', '1'.repeat(64)).replace('d9f5ba91b3866f3845930531e0870436e2dd6e919787f627c0f1c16b97219a5f', '2'.repeat(64)));
      expect(await planned()).toEqual(['uvfn-x86_64 reuse', 'uvfn-arm64 reuse']);
      writeFileSync(lock, original.replace('5c81b01df78901f33574d11d0007382a91b8f16b6444fdd280f680c77c009a9f', '3'.repeat(64)));
      expect(await planned()).toEqual(['uvfn-x86_64 rebuild', 'uvfn-arm64 rebuild']);
    } finally {
      writeFileSync(lock, original);
    }
  });
});

describe('a private index with a token', () => {
  it('keeps the token out of the zip, manifest.json, plan --json and the cache directory', async () => {
    const password = 'tok-91c7e2-never-written';
    const certs = await makeCertificates(path.join(root, 'certs'), index.address);
    const secure = await startPythonIndex(path.join(root, 'index'), { address: index.address, tls: certs, auth: { username: 'ci', password } });
    try {
      const project = path.join(root, 'private');
      cpSync(path.join(REPO, 'fixtures/python-uv/function'), path.join(project, 'uv'), { recursive: true });
      const lock = path.join(project, 'uv', 'uv.lock');
      writeFileSync(lock, readFileSync(lock, 'utf8').replaceAll('registry = "https://pypi.org/simple"', `registry = "${secure.url}"`));
      const manifest = path.join(project, 'uv', 'pyproject.toml');
      writeFileSync(manifest, `${readFileSync(manifest, 'utf8')}\n[[tool.uv.index]]\nname = "private"\nurl = "${secure.url}"\n`);
      writeFileSync(path.join(project, 'lambda-pack.config.yaml'), `imageSet: local\ncertificates: [${certs.ca}]\nfunctions:\n  uvfn: { runtime: python3.11, source: uv, handler: uvfn.handler.handler, passEnv: [UV_INDEX_PRIVATE_USERNAME, UV_INDEX_PRIVATE_PASSWORD] }\n`);
      const secretEnv = { LAMBDA_PACK_CACHE_DIR: path.join(root, 'private-cache'), UV_INDEX_PRIVATE_USERNAME: 'ci', UV_INDEX_PRIVATE_PASSWORD: password };
      const plan = await lambdaPack(['plan', '--json'], { cwd: project, env: secretEnv });
      expect(plan.exitCode, plan.stderr).toBe(0);
      const built = await lambdaPack(['build', '--json', '--out', path.join(project, 'dist')], { cwd: project, env: secretEnv });
      expect(built.exitCode, built.stderr).toBe(0);
      expect(secure.requests.some((r) => r.user === 'ci' && r.status === 200 && r.path === '/files/cfast-0.1.0.tar.gz')).toBe(true);
      const written = (dir: string): string[] => readdirSync(dir, { recursive: true }).map((f) => path.join(dir, String(f))).filter((f) => statSync(f).isFile());
      for (const file of [...written(path.join(project, 'dist')), ...written(path.join(root, 'private-cache'))]) {
        expect(readFileSync(file).includes(password), file).toBe(false);
      }
      const dist = await extractZip(path.join(project, 'dist', 'uvfn-x86_64.zip'));
      temp.push(dist);
      for (const file of written(dist)) expect(readFileSync(file).includes(password), file).toBe(false);
      for (const text of [plan.stdout, plan.stderr, built.stdout, built.stderr]) expect(text).not.toContain(password);
    } finally {
      await secure.close();
    }
  }, 600_000);
});
