// Reproducible sdist builds: an sdist compiles at a path that is the same in every build, so two
// cold installs give the same bytes — a vendored sdist archive, and sdists served by a real
// package index (the cfast fixture and MarkupSafe's PyPI sdist). The install steps are the ones
// the pip builder plans (requirementsInstall), run for real in the local python3.11 image.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirementsInstall, type PythonInstall } from '../../src/builders/python/install-steps.js';
import { localProjectDirs } from '../../src/builders/python/layout.js';
import { readRequirements } from '../../src/builders/pip-requirements.js';
import { requireEngine } from '../helpers/docker.js';
import { REPO } from '../helpers/cli.js';
import { localPythonImage, runInstall } from '../helpers/pip-steps.js';
import { assembleIndex, startPythonIndex, type PythonIndex } from '../helpers/python-index.js';

const SDIST_FIXTURE = path.join(REPO, 'fixtures/python-sdist/function');
let image: string;
let index: PythonIndex;
const temp: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-sdist-'));
  temp.push(dir);
  return dir;
}

beforeAll(async () => {
  await requireEngine();
  image = await localPythonImage('x86_64');
  index = await startPythonIndex(assembleIndex(path.join(tempDir(), 'files')));
}, 60_000);

afterAll(async () => {
  await index?.close();
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});

const sha = (listing: string, file: RegExp) => listing.split('\n').find((l) => file.test(l))?.split(' ').pop();

describe('a vendored sdist (requirements.txt names ./vendor/cfast-0.1.0.tar.gz)', () => {
  const install = requirementsInstall({ python: 'python3.11', requirementsFile: 'requirements.txt', localProjects: [], buildSources: {} });

  it('plain pip install differs between two cold builds: the random build path lands in the .so', async () => {
    const today: PythonInstall = { ...install, steps: [{ name: 'pip install', argv: ['python3.11', '-m', 'pip', 'install', '--no-compile', '--target', install.output, '-r', 'requirements.txt'] }] };
    const [first, second] = [await runInstall(today, { image, arch: 'x86_64', source: SDIST_FIXTURE }), await runInstall(today, { image, arch: 'x86_64', source: SDIST_FIXTURE })];
    expect(first.exitCode, first.log).toBe(0);
    expect(sha(first.listing, /cfast\.cpython-311-x86_64-linux-gnu\.so/)).toBeDefined();
    expect(sha(first.listing, /\.so /)).not.toBe(sha(second.listing, /\.so /));
  }, 180_000);

  it('builds byte-identical twice, cold, and the extension loads', async () => {
    const check = 'python3.11 -c "import sys; sys.path.insert(0, \\".\\"); import cfast; print(cfast.total([1, 2, 3]))"';
    const first = await runInstall(install, { image, arch: 'x86_64', source: SDIST_FIXTURE, check });
    const second = await runInstall(install, { image, arch: 'x86_64', source: SDIST_FIXTURE, check });
    expect(first.exitCode, first.log).toBe(0);
    expect(first.listing).toMatch(/\.\/cfast\.cpython-311-x86_64-linux-gnu\.so 755 [0-9a-f]{64}/);
    expect(first.listing).toMatch(/\.\/cfast-0\.1\.0\.dist-info\/RECORD/);
    expect(second.listing).toBe(first.listing);
    expect(first.checked).toBe('6');
  }, 180_000);
});

describe('a requirement of the function itself (-e .)', () => {
  it('builds the project a real copy, not an editable link to /build', async () => {
    const source = tempDir();
    cpSync(path.join(REPO, 'fixtures/python-index/packages/cfast'), source, { recursive: true });
    writeFileSync(path.join(source, 'requirements.txt'), '-e .\n');
    const requirements = await readRequirements(source);
    const install = requirementsInstall({ python: 'python3.11', requirementsFile: 'requirements.txt', localProjects: localProjectDirs(requirements), buildSources: {} });
    const run = await runInstall(install, { image, arch: 'x86_64', source, check: 'python3.11 -c "import sys; sys.path.insert(0, \\".\\"); import cfast; print(cfast.total([7]))"' });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.checked).toBe('7');
    expect(run.listing).toMatch(/^\.\/cfast\.cpython-311-x86_64-linux-gnu\.so /m);
    expect(run.listing).not.toMatch(/__editable__|\.pth /);
  }, 180_000);
});

describe('sdists from a real package index', () => {
  it('builds cfast and MarkupSafe (PyPI sdist) byte-identical twice, cold', async () => {
    const source = tempDir();
    const host = new URL(index.url).host;
    writeFileSync(path.join(source, 'requirements.txt'), `--index-url ${index.url}\n--trusted-host ${host}\ncfast==0.1.0\nmarkupsafe==2.1.2\n`);
    const install = requirementsInstall({ python: 'python3.11', requirementsFile: 'requirements.txt', localProjects: [], buildSources: { indexUrl: index.url, noIndex: false, trustedHosts: [host] } });
    const env = { PIP_NO_INDEX: '0' };
    const check = 'python3.11 -c "import sys; sys.path.insert(0, \\".\\"); import markupsafe, cfast; print(markupsafe.escape(\\"<a>\\"), markupsafe._speedups.__name__, cfast.total([4]))"';
    const first = await runInstall(install, { image, arch: 'x86_64', source, env, network: 'bridge', check });
    const second = await runInstall(install, { image, arch: 'x86_64', source, env, network: 'bridge', check });
    expect(first.exitCode, first.log).toBe(0);
    expect(first.listing).toMatch(/\.\/markupsafe\/_speedups\.cpython-311-x86_64-linux-gnu\.so 755/);
    expect(second.listing).toBe(first.listing);
    expect(first.checked).toBe('&lt;a&gt; markupsafe._speedups 4');
    expect(index.requests.some((r) => r.path === '/files/MarkupSafe-2.1.2.tar.gz')).toBe(true);
  }, 240_000);
});
