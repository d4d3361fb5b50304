import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { enginesNeeded, placeTasks, plan } from '../../src/plan/plan.js';
import { planJson, planHuman } from '../../src/cli/render.js';
import { ConfigError } from '../../src/errors.js';
import { analyzeArtifact } from '../../src/project/analyze.js';
import { taskPlan } from '../../src/plan/task-plan.js';
import { ARCHITECTURES } from '../../src/runtimes.js';
import { HOST } from '../helpers/host.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject;
afterEach(() => project?.remove());

async function configOf(yaml: string) {
  project = tempProject({
    'fns/api/package.json': '{}', 'fns/api/package-lock.json': '{}',
    'fns/hello/index.js': '',
    'layers/shared/package.json': '{}', 'layers/shared/package-lock.json': '{}',
    'lambda-pack.config.yaml': yaml,
  });
  return loadConfig({ host: HOST, cwd: project.root });
}

const base = [
  'architectures: [x86_64, arm64]',
  'functions:',
  '  api: { runtime: nodejs22.x, source: fns/api }',
  '  hello: { runtime: nodejs20.x, source: fns/hello, architectures: [arm64] }',
  'layers:',
  '  shared: { runtimes: [nodejs22.x, nodejs20.x], source: layers/shared }',
].join('\n');

const X86 = ARCHITECTURES.x86_64;

describe('plan', () => {
  it('makes one task per artifact and architecture, with official images by default', async () => {
    const config = await configOf(base);
    const placed = placeTasks(config, plan(config), {}, X86);
    expect(placed.map((t) => [t.id, t.artifact.builder, t.image && t.image.kind === 'reference' ? t.image.ref : t.image, path.relative(project.root, t.output)])).toEqual([
      ['api-x86_64', 'npm', 'public.ecr.aws/sam/build-nodejs22.x:latest-x86_64', 'dist/api-x86_64.zip'],
      ['api-arm64', 'npm', 'public.ecr.aws/sam/build-nodejs22.x:latest-arm64', 'dist/api-arm64.zip'],
      ['hello-arm64', 'copy', null, 'dist/hello-arm64.zip'],
      ['shared-x86_64', 'npm', 'public.ecr.aws/sam/build-nodejs22.x:latest-x86_64', 'dist/shared-x86_64.zip'],
      ['shared-arm64', 'npm', 'public.ecr.aws/sam/build-nodejs22.x:latest-arm64', 'dist/shared-arm64.zip'],
    ]);
  });

  it('asks only for the engines of architectures that install something', async () => {
    const config = await configOf(base);
    expect(enginesNeeded(plan(config, { names: ['hello'] }))).toEqual([]);
    expect(enginesNeeded(plan(config))).toEqual(['x86_64', 'arm64']);
  });

  it('places a task on its engine: native there, the engine-architecture image beside it for a cross build', async () => {
    const config = await configOf(base);
    const placed = placeTasks(config, plan(config, { names: ['api'] }), { arm64: { name: 'ssh://builder (docker.hosts.arm64)', arch: 'arm64' } }, X86);
    expect(placed.map((t) => [t.id, t.engine, t.engineImage])).toEqual([
      ['api-x86_64', { arch: X86 }, null],
      ['api-arm64', { name: 'ssh://builder (docker.hosts.arm64)', arch: ARCHITECTURES.arm64 }, null],
    ]);
    const onX86 = placeTasks(config, plan(config, { names: ['api'], arch: 'arm64' }), { arm64: { name: 'default' } }, X86);
    expect(onX86[0]).toMatchObject({ engine: { name: 'default', arch: X86 }, engineImage: { kind: 'reference', ref: 'public.ecr.aws/sam/build-nodejs22.x:latest-x86_64' } });
  });

  it('uses configured images first, then the local recipes when imageSet is local', async () => {
    const config = await configOf(`imageSet: local\nimages:\n  nodejs22.x: { arm64: mine/node:arm64 }\n${base}`);
    const images = placeTasks(config, plan(config, { names: ['api'] }), {}, X86).map((t) => t.image);
    expect(images).toEqual([
      { kind: 'recipe', recipe: 'nodejs22.x', origin: 'local' },
      { kind: 'reference', ref: 'mine/node:arm64', origin: 'config' },
    ]);
  });

  it('refuses local images for a runtime that has no recipe', async () => {
    const config = await configOf(`imageSet: local\n${base}`);
    expect(() => placeTasks(config, plan(config, { names: ['shared'] }), {}, X86)).not.toThrow();
    const config20 = await configOf(`imageSet: local\nfunctions:\n  api: { runtime: nodejs20.x, source: fns/api }\n`);
    expect(() => placeTasks(config20, plan(config20), {}, X86)).toThrow(/no offline local image for nodejs20.x/);
  });

  it('selects by name and architecture, and overrides the output directory', async () => {
    const config = await configOf(base);
    const tasks = plan(config, { names: ['hello', 'api'], arch: 'arm64', outDir: '/tmp/out' });
    expect(tasks.map((t) => t.id)).toEqual(['api-arm64', 'hello-arm64']);
    expect(tasks[0]!.output).toBe('/tmp/out/api-arm64.zip');
  });

  it('treats an unknown name as a usage error with a suggestion', async () => {
    const config = await configOf(base);
    const error = (() => { try { plan(config, { names: ['apx'] }); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('Did you mean "api"?');
    expect((error as ConfigError).message).toContain('Known names: api, hello, shared');
  });

  it('says so when the architecture filter leaves nothing', async () => {
    const config = await configOf(base);
    expect(() => plan(config, { names: ['hello'], arch: 'x86_64' })).toThrow(/Nothing to build/);
  });

  it('renders a table and a JSON document of the task plans', async () => {
    const config = await configOf(base);
    const [task] = placeTasks(config, plan(config, { names: ['hello'] }), {}, X86);
    const taskPlanned = taskPlan(task!, await analyzeArtifact(task!.artifact, HOST), HOST);
    const decided = [{ plan: taskPlanned, decision: { action: 'repackage' as const, reason: 'not built yet' } }];
    expect(planHuman(path.join(project.root, 'dist'), decided, project.root)).toContain('hello-arm64  function  nodejs20.x  arm64  copy     (none: packaged as is)  dist/hello-arm64.zip  native    repackage  not built yet');
    expect(planJson('/out', decided)).toEqual({ outDir: '/out', tasks: [{ ...taskPlanned, action: 'repackage', reason: 'not built yet' }] });
    expect(planJson('/out', decided)).toMatchObject({ tasks: [{ id: 'hello-arm64', builder: 'copy', install: null, strategy: { kind: 'native' } }] });
  });
});
