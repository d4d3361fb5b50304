// The npm builder on real projects through the config, as `plan` sees them: a manifest in another
// directory than the code (SAM's manifest_path), npm pack's rules for what ships, no install for
// a function without dependencies, and the bundle's externals in the plan.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { shippedEntries } from '../../src/package/contents.js';
import { placeTasks, plan } from '../../src/plan/plan.js';
import { taskPlan } from '../../src/plan/task-plan.js';
import type { TaskPlan } from '../../src/plan/types.js';
import { analyzeArtifact } from '../../src/project/analyze.js';
import { ARCHITECTURES } from '../../src/runtimes.js';
import { hostWith } from '../helpers/host.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

const LOCK = (deps: Record<string, string>) => JSON.stringify({ name: 'fn', version: '1.0.0', lockfileVersion: 3, requires: true, packages: {
  '': { name: 'fn', version: '1.0.0', dependencies: deps },
  ...Object.fromEntries(Object.entries(deps).map(([n, v]) => [`node_modules/${n}`, { version: v, integrity: 'sha512-x' }])),
} });

async function planOf(files: Record<string, string>, fn: string): Promise<TaskPlan> {
  project = tempProject({ ...files, 'lambda-pack.config.yaml': `functions:\n  fn: { runtime: nodejs22.x, ${fn} }\n` });
  const host = hostWith({ LAMBDA_PACK_CACHE_DIR: `${project.root}/.cache` });
  const config = await loadConfig({ host, cwd: project.root });
  const [task] = placeTasks(config, plan(config), {}, ARCHITECTURES.x86_64);
  return taskPlan(task!, await analyzeArtifact(task!.artifact, host), host);
}

describe('the npm builder, through the config', () => {
  it('installs from a manifest one level above the code and ships the code of source (manifest:)', async () => {
    const p = await planOf({
      'svc/package.json': JSON.stringify({ name: 'fn', version: '1.0.0', dependencies: { ms: '2.1.3' } }), 'svc/package-lock.json': LOCK({ ms: '2.1.3' }),
      'svc/src/app.js': 'exports.handler = async () => 1;\n',
    }, 'source: svc/src, manifest: svc/package.json, handler: app.handler');
    expect(p.install!.inputs.map((e) => e.path)).toEqual(['package-lock.json', 'package.json']);
    expect(p.install!.inputs[1]!.absolute).toBe(`${project!.root}/svc/package.json`);
    expect(p.package.source!.entries.map((e) => e.path)).toEqual(['app.js']);
    expect(p.package.dependencies).toEqual({ prefix: 'node_modules' });
  });

  it('ships what npm pack would when package.json has a "files" list, then exclude', async () => {
    const p = await planOf({
      'fn/package.json': JSON.stringify({ name: 'fn', version: '1.0.0', main: 'index.js', files: ['lib'] }),
      'fn/index.js': '', 'fn/lib/util.js': '', 'fn/lib/util.test.js': '', 'fn/scripts/release.sh': '', 'fn/README.md': '', 'fn/.npmrc': 'x=1\n',
    }, 'source: fn, handler: index.handler, exclude: ["**/*.test.js"]');
    expect(shippedEntries(p.package.source!).filter((e) => e.kind === 'file').map((e) => e.path)).toEqual(['README.md', 'index.js', 'lib/util.js', 'package.json']);
    expect(p.details).toMatchObject({ source: 'what npm pack would pack ("files" / .npmignore), then exclude' });
  });

  it('plans no install, and no image, for a function without dependencies', async () => {
    const p = await planOf({ 'fn/package.json': JSON.stringify({ name: 'fn', devDependencies: { vitest: '3.0.0' } }), 'fn/index.js': '' }, 'source: fn, handler: index.handler');
    expect(p.install).toBeNull();
    expect(p.keys.dependency).toBeNull();
    expect(p.details).toMatchObject({ install: { mode: 'none' } });
  });

  it('refuses bundle on a function the npm builder does not build', async () => {
    await expect(planOf({ 'fn/app.py': '' }, 'source: fn, handler: app.handler, builder: copy, bundle: esbuild'))
      .rejects.toThrow(/"bundle" is a setting of the npm builder/);
  });
});
