// The load check (`verify --load`) and `invoke` on the real engine, in the offline runtime
// stand-ins of both architectures (arm64 under qemu): zips lambda-pack built pass and answer;
// zips another tool made without a file they load fail in the runtime's own words; a module whose
// own code throws is a warning.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import { extractZip } from '../helpers/zip.js';

const CONFIG = path.join(REPO, 'fixtures/load-check/lambda-pack.config.yaml');
const work = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-load-check-'));
const out = path.join(work, 'dist');
const ARCHES = ['x86_64', 'arm64'] as const;

interface Report { results: { zip: string; ok: boolean; findings: { code: string; severity: string; path: string; message: string }[] }[] }

async function verifyLoad(zip: string, runtime: string, arch: string, handler?: string) {
  const result = await lambdaPack(['verify', zip, '--runtime', runtime, '--arch', arch, '--load', '--image-set', 'local', '--json', ...(handler ? ['--handler', handler] : [])]);
  const report = JSON.parse(result.stdout) as Report;
  return { exitCode: result.exitCode, stderr: result.stderr, findings: report.results[0]!.findings, ms: result.ms };
}

/** The zip another tool would make: extracted, changed on disk, zipped again with Info-ZIP. */
async function rezip(zip: string, name: string, change: (dir: string) => Promise<unknown>): Promise<string> {
  const dir = await extractZip(zip);
  await change(dir);
  const target = path.join(work, name);
  await execa('zip', ['-q', '-r', '-y', target, '.'], { cwd: dir });
  rmSync(dir, { recursive: true, force: true });
  return target;
}

const initContainers = async () => (await execa('docker', ['ps', '-aq', '--filter', 'name=lambda-pack-init-'])).stdout.split('\n').filter(Boolean);

const FUNCTIONS = [
  { name: 'native', runtime: 'nodejs22.x', handler: 'index.handler' },
  { name: 'stats', runtime: 'python3.11', handler: 'app.handler' },
  { name: 'csquares', runtime: 'provided.al2023', handler: undefined },
] as const;

beforeAll(async () => {
  await requireEngine();
  const build = await lambdaPack(['build', '--config', CONFIG, '--out', out, '--arch', 'all']);
  if (build.exitCode !== 0) throw new Error(`the fixtures did not build:\n${build.stderr.slice(-3000)}`);
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the load check (verify --load)', () => {
  for (const arch of ARCHES) {
    for (const fn of FUNCTIONS) {
      it(`passes ${fn.name} (${fn.runtime}) as lambda-pack built it, on ${arch}`, async () => {
        const { exitCode, findings, stderr } = await verifyLoad(path.join(out, `${fn.name}-${arch}.zip`), fn.runtime, arch, fn.handler);
        expect(findings, stderr).toEqual([]);
        expect(exitCode).toBe(0);
      }, 120_000);
    }
  }

  it('fails a zip from another tool whose addon .node file is missing, in Node\'s words', async () => {
    const zip = await rezip(path.join(out, 'native-x86_64.zip'), 'no-addon.zip', (dir) => execa('rm', [path.join(dir, 'node_modules/native-sum/build/Release/native_sum.node')]));
    const { exitCode, findings } = await verifyLoad(zip, 'nodejs22.x', 'x86_64', 'index.handler');
    expect(exitCode).toBe(1);
    expect(findings).toContainEqual(expect.objectContaining({
      code: 'LOAD_FAILED', severity: 'error', path: 'node_modules/native-sum/index.js',
      message: expect.stringContaining("Runtime.ImportModuleError: Error: Cannot find module './build/Release/native_sum.node'"),
    }));
  }, 120_000);

  it('fails a zip from another tool whose Python extension is missing, in Python\'s words', async () => {
    const zip = await rezip(path.join(out, 'stats-arm64.zip'), 'no-extension.zip', (dir) => execa('sh', ['-c', 'rm fastmath.cpython-311-*.so'], { cwd: dir }));
    const { exitCode, findings } = await verifyLoad(zip, 'python3.11', 'arm64', 'app.handler');
    expect(exitCode).toBe(1);
    expect(findings).toContainEqual(expect.objectContaining({
      code: 'LOAD_FAILED', severity: 'error', message: "The function does not load: Runtime.ImportModuleError: Unable to import module 'app': No module named 'fastmath'",
    }));
  }, 120_000);

  it('fails a bootstrap built for the other architecture with Lambda\'s exec format error', async () => {
    const zip = await rezip(path.join(out, 'csquares-x86_64.zip'), 'x86-bootstrap.zip', async () => {});
    const { exitCode, findings } = await verifyLoad(zip, 'provided.al2023', 'arm64');
    expect(exitCode).toBe(1);
    expect(findings).toContainEqual(expect.objectContaining({
      code: 'LOAD_FAILED', message: expect.stringContaining('Error: fork/exec /var/task/bootstrap: exec format error (it is built for x86_64; this runtime is aarch64)'),
    }));
    // The static check saw it too.
    expect(findings).toContainEqual(expect.objectContaining({ code: 'ARCH_MISMATCH', path: 'bootstrap' }));
  }, 120_000);

  it('warns, and passes, when the handler module\'s own top-level code throws (Node and Python)', async () => {
    const node = await verifyLoad(path.join(out, 'throws-node-x86_64.zip'), 'nodejs22.x', 'x86_64', 'index.handler');
    expect(node.findings).toEqual([expect.objectContaining({
      code: 'INIT_EXCEPTION', severity: 'warning', path: 'index.js',
      message: "The function's module loaded, but its top-level code threw: TypeError: Cannot read properties of undefined (reading 'toUpperCase')",
    })]);
    expect(node.exitCode).toBe(0);
    const python = await verifyLoad(path.join(out, 'throws-python-x86_64.zip'), 'python3.11', 'x86_64', 'app.handler');
    expect(python.findings).toEqual([expect.objectContaining({ code: 'INIT_EXCEPTION', severity: 'warning', path: 'app.py', message: "The function's module loaded, but its top-level code threw: KeyError: 'TABLE_NAME'" })]);
    expect(python.exitCode).toBe(0);
  }, 120_000);

  it('refuses --load without the handler the runtime imports', async () => {
    const result = await lambdaPack(['verify', path.join(out, 'native-x86_64.zip'), '--runtime', 'nodejs22.x', '--arch', 'x86_64', '--load']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--load needs the handler the runtime imports/);
  });
});

describe('lambda-pack invoke', () => {
  const event = path.join(work, 'event.json');
  beforeAll(() => writeFileSync(event, JSON.stringify({ numbers: [3, 4, 12], text: 'lambda-pack' })));

  for (const arch of ARCHES) {
    it(`answers from the Node, Python and provided functions on ${arch}`, async () => {
      const machine = arch === 'x86_64' ? 'x86_64' : 'aarch64';
      const call = async (name: string) => {
        const result = await lambdaPack(['invoke', name, '--arch', arch, '--event', event, '--config', CONFIG, '--out', out]);
        expect(result.exitCode, result.stderr).toBe(0);
        return JSON.parse(result.stdout) as Record<string, unknown>;
      };
      expect(await call('native')).toMatchObject({ sumOfSquares: 169, addonArch: arch, processArch: arch === 'x86_64' ? 'x64' : 'arm64' });
      expect(await call('stats')).toMatchObject({ sumOfSquares: 169, compiledFor: arch, machine });
      expect(await call('csquares')).toEqual({ language: 'c', count: 3, sumOfSquares: 169, arch });
    }, 180_000);
  }

  it('prints the function\'s error payload on stdout, its log on stderr, and exits 1', async () => {
    const bad = path.join(work, 'bad-event.json');
    writeFileSync(bad, JSON.stringify({ numbers: ['three'] }));
    const result = await lambdaPack(['invoke', 'stats', '--arch', 'x86_64', '--event', bad, '--config', CONFIG, '--out', out]);
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ errorType: 'TypeError' });
    expect(result.stderr).toMatch(/\[ERROR\] TypeError: /);
  }, 120_000);

  it('with --json, prints the response and the logs as one document', async () => {
    const result = await lambdaPack(['invoke', 'native', '--json', '--config', CONFIG, '--out', out]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, function: 'native', arch: 'x86_64', response: { sumOfSquares: 14 }, logs: [] });
  }, 120_000);

  it('names the file and the build command when the function is not built, or unknown', async () => {
    const empty = path.join(work, 'empty');
    const notBuilt = await lambdaPack(['invoke', 'native', '--arch', 'arm64', '--config', CONFIG, '--out', empty]);
    expect(notBuilt.exitCode).toBe(2);
    expect(notBuilt.stderr).toContain(`${path.join(empty, 'manifest.json')} does not exist`);
    expect(notBuilt.stderr).toContain('lambda-pack build native --arch arm64');
    const throwsArm = await lambdaPack(['invoke', 'throws-node', '--arch', 'arm64', '--config', CONFIG, '--out', out]);
    expect(throwsArm.exitCode).toBe(2);
    expect(throwsArm.stderr).toMatch(/"throws-node" is built for x86_64 only/);
    const unknown = await lambdaPack(['invoke', 'nativ', '--config', CONFIG, '--out', out]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/has no function named "nativ"\. Did you mean "native"\?/);
  });

  it('leaves no container of its own behind', async () => {
    expect(await initContainers()).toEqual([]);
  });
});
