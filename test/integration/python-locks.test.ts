// Locked installs for real: the fixtures' Pipfile.lock, uv.lock and poetry.lock (locked again
// with the real Poetry against the test index) planned by planLockedInstall and run, step by
// step, in the local python3.11 image against a real PEP 503 index on the Docker bridge — once
// over HTTPS with basic auth, credentials reaching pip only through passEnv variables.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planLockedInstall, type LockedTaskInput } from '../../src/builders/python/locked-install.js';
import { planSteps } from '../../src/builders/python/plan-steps.js';
import { ARCHITECTURES, runtime } from '../../src/runtimes.js';
import { REPO } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import { poetryLock } from '../helpers/lock-tools.js';
import { localPythonImage, runInstall } from '../helpers/pip-steps.js';
import { assembleIndex, makeCertificates, startPythonIndex, type PythonIndex } from '../helpers/python-index.js';

const temp: string[] = [];
const images: Record<'x86_64' | 'arm64', string> = { x86_64: '', arm64: '' };
let files: string;
let index: PythonIndex;
const py311 = runtime('python3.11');

function copy(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-locks-'));
  temp.push(dir);
  cpSync(path.join(REPO, 'fixtures', name, 'function'), dir, { recursive: true });
  return dir;
}

const input = (source: string, format: LockedTaskInput['format'], more: Partial<LockedTaskInput> = {}): LockedTaskInput => ({
  source, format, runtime: py311, arch: ARCHITECTURES.x86_64, passEnv: [], env: {}, cross: false, ...more,
});
const paths = (listing: string) => listing.split('\n').map((l) => l.split(' ')[0]!);

beforeAll(async () => {
  await requireEngine();
  images.x86_64 = await localPythonImage('x86_64');
  images.arm64 = await localPythonImage('arm64');
  files = assembleIndex(path.join(mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-index-')), 'files'));
  temp.push(path.dirname(files));
  index = await startPythonIndex(files);
}, 60_000);

afterAll(async () => {
  await index?.close();
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});

describe('Pipfile.lock (Pipenv): the index URL a variable, sdists compiled', () => {
  it('installs the default packages byte-identical twice, cold, without the Windows-only or dev ones', async () => {
    const source = copy('python-pipenv');
    const env = { LAMBDA_PACK_TEST_INDEX: index.url, PIP_TRUSTED_HOST: new URL(index.url).host };
    const plan = await planLockedInstall(input(source, 'Pipfile.lock', { passEnv: Object.keys(env) }));
    const check = 'python3.11 -c "import sys; sys.path.insert(0, \\".\\"); import cfast, markupsafe; print(cfast.total([2, 3]), markupsafe.escape(\\"&\\"))"';
    const first = await runInstall(plan.install, { image: images.x86_64, arch: 'x86_64', source, env, network: 'bridge', check });
    const second = await runInstall(plan.install, { image: images.x86_64, arch: 'x86_64', source, env, network: 'bridge', check });
    expect(first.exitCode, first.log).toBe(0);
    expect(first.checked).toBe('5 &amp;');
    expect(second.listing).toBe(first.listing);
    expect(paths(first.listing).filter((p) => p.endsWith('.so'))).toEqual(['./cfast.cpython-311-x86_64-linux-gnu.so', './markupsafe/_speedups.cpython-311-x86_64-linux-gnu.so']);
    expect(first.listing).not.toMatch(/winlog|wheel-0\.38/);
  }, 600_000);
});

describe('uv.lock: locked from PyPI, served by a mirror; the project built too', () => {
  it('installs the project and its locked dependencies from the mirror pip is pointed at', async () => {
    const source = copy('python-uv');
    const env = { PIP_INDEX_URL: index.url, PIP_TRUSTED_HOST: new URL(index.url).host };
    const plan = await planLockedInstall(input(source, 'uv.lock', { passEnv: Object.keys(env) }));
    const check = 'python3.11 -c "import sys, json; sys.path.insert(0, \\".\\"); from uvfn.handler import handler; print(json.dumps(handler({\\"numbers\\": [5, 6]}), sort_keys=True))"';
    const run = await runInstall(plan.install, { image: images.x86_64, arch: 'x86_64', source, env, network: 'bridge', check });
    expect(run.exitCode, run.log).toBe(0);
    expect(JSON.parse(run.checked)).toEqual({ bits: null, html: '&lt;b&gt;', machine: 'x86_64', total: 11 });
    expect(paths(run.listing)).toEqual(expect.arrayContaining(['./uvfn/handler.py', './uvfn-1.0.0.dist-info/RECORD', './cfast.cpython-311-x86_64-linux-gnu.so']));
    expect(run.listing).not.toMatch(/winlog|wheel-0\.38|tally/);
    expect(index.requests.some((r) => r.path === '/simple/cfast/')).toBe(true);
  }, 600_000);
});

describe('poetry.lock (locked here with the real Poetry): wheels only', () => {
  it('cross-builds arm64 in an x86_64 container byte-identical to the emulated build', async () => {
    const source = copy('python-poetry');
    await poetryLock(source, index.url);
    const arm64 = ARCHITECTURES.arm64;
    const cross = await planLockedInstall(input(source, 'poetry.lock', { arch: arm64, cross: true }));
    const emulated = await planLockedInstall(input(source, 'poetry.lock', { arch: arm64 }));
    const crossRun = await runInstall(cross.install, { image: images.x86_64, arch: 'x86_64', source, network: 'bridge' });
    const emulatedRun = await runInstall(emulated.install, { image: images.arm64, arch: 'arm64', source, network: 'bridge' });
    expect(crossRun.exitCode, crossRun.log).toBe(0);
    expect(emulatedRun.exitCode, emulatedRun.log).toBe(0);
    expect(paths(crossRun.listing)).toContain('./bitcount.cpython-311-aarch64-linux-gnu.so');
    expect(crossRun.listing).not.toMatch(/winlog|wheel-0\.38/);
    expect(crossRun.listing).toBe(emulatedRun.listing);
  }, 600_000);
});

describe('a private index over HTTPS with basic auth', () => {
  const username = 'ci-user';
  const password = 'tok-4f1d9c-do-not-leak';
  let secure: PythonIndex;
  let ca: string;

  beforeAll(async () => {
    const certs = await makeCertificates(mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-certs-')), index.address);
    temp.push(path.dirname(certs.ca));
    ca = certs.ca;
    secure = await startPythonIndex(files, { address: index.address, tls: certs, auth: { username, password } });
  }, 60_000);
  afterAll(async () => { await secure?.close(); });

  function privateProject(): string {
    const source = copy('python-uv');
    const lock = readFileSync(path.join(source, 'uv.lock'), 'utf8').replaceAll('registry = "https://pypi.org/simple"', `registry = "${secure.url}"`);
    writeFileSync(path.join(source, 'uv.lock'), lock);
    writeFileSync(path.join(source, 'pyproject.toml'), `${readFileSync(path.join(source, 'pyproject.toml'), 'utf8')}\n[[tool.uv.index]]\nname = "private"\nurl = "${secure.url}"\n`);
    return source;
  }

  it('reaches pip as a netrc written from UV_INDEX_PRIVATE_USERNAME/PASSWORD, and the token is nowhere else', async () => {
    const source = privateProject();
    const env = { UV_INDEX_PRIVATE_USERNAME: username, UV_INDEX_PRIVATE_PASSWORD: password };
    const plan = await planLockedInstall(input(source, 'uv.lock', { passEnv: Object.keys(env), credentialValues: env }));
    const run = await runInstall(plan.install, { image: images.x86_64, arch: 'x86_64', source, env, network: 'bridge', caBundle: ca, check: 'test ! -e .netrc && echo no-netrc-in-output' });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.checked).toBe('no-netrc-in-output');
    const downloads = secure.requests.filter((r) => r.path.startsWith('/files/') && r.status === 200);
    expect(downloads.map((r) => r.path)).toEqual(expect.arrayContaining(['/files/cfast-0.1.0.tar.gz', '/files/MarkupSafe-2.1.2.tar.gz', '/files/setuptools-66.1.1-py3-none-any.whl']));
    expect(downloads.every((r) => r.user === username)).toBe(true);
    for (const text of [JSON.stringify(planSteps(plan.install)), JSON.stringify(plan.key), run.listing, run.log]) expect(text).not.toContain(password);
  }, 600_000);

  it('fails the download without the credentials (the index refuses: 401)', async () => {
    const source = privateProject();
    const plan = await planLockedInstall(input(source, 'uv.lock'));
    const before = secure.requests.length;
    const run = await runInstall(plan.install, { image: images.x86_64, arch: 'x86_64', source, network: 'bridge', caBundle: ca });
    expect(run.exitCode).not.toBe(0);
    expect(run.log).toContain('lambda-pack: pip failed to download from the index private');
    const refused = secure.requests.slice(before);
    expect(refused.map((r) => `${r.path} ${r.status}`)).toEqual(['/simple/cfast/ 401']);
  }, 600_000);
});
