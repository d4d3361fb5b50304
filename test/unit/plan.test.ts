import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { plan } from '../../src/plan/plan.js';
import { planJson, planHuman } from '../../src/cli/render.js';
import { ConfigError } from '../../src/errors.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject;
afterEach(() => project?.remove());

async function configOf(yaml: string) {
  project = tempProject({
    'fns/api/package.json': '{}', 'fns/api/package-lock.json': '{}',
    'fns/hello/index.js': '',
    'layers/shared/package.json': '{}',
    'lambda-pack.config.yaml': yaml,
  });
  return loadConfig({ cwd: project.root });
}

const base = [
  'architectures: [x86_64, arm64]',
  'functions:',
  '  api: { runtime: nodejs22.x, source: fns/api }',
  '  hello: { runtime: nodejs20.x, source: fns/hello, architectures: [arm64] }',
  'layers:',
  '  shared: { runtimes: [nodejs22.x, nodejs20.x], source: layers/shared }',
].join('\n');

describe('plan', () => {
  it('makes one task per artifact and architecture, with official images by default', async () => {
    const config = await configOf(base);
    const result = plan(config);
    expect(result.outDir).toBe(path.join(project.root, 'dist'));
    expect(result.tasks.map((t) => [t.id, t.artifact.builder, t.image && t.image.kind === 'reference' ? t.image.ref : t.image, path.relative(project.root, t.output)])).toEqual([
      ['api-x86_64', 'npm', 'public.ecr.aws/sam/build-nodejs22.x:latest-x86_64', 'dist/api-x86_64.zip'],
      ['api-arm64', 'npm', 'public.ecr.aws/sam/build-nodejs22.x:latest-arm64', 'dist/api-arm64.zip'],
      ['hello-arm64', 'copy', null, 'dist/hello-arm64.zip'],
      ['shared-x86_64', 'npm', 'public.ecr.aws/sam/build-nodejs22.x:latest-x86_64', 'dist/shared-x86_64.zip'],
      ['shared-arm64', 'npm', 'public.ecr.aws/sam/build-nodejs22.x:latest-arm64', 'dist/shared-arm64.zip'],
    ]);
  });

  it('uses configured images first, then the local recipes when imageSet is local', async () => {
    const config = await configOf(`imageSet: local\nimages:\n  nodejs22.x: { arm64: mine/node:arm64 }\n${base}`);
    const images = plan(config, { names: ['api'] }).tasks.map((t) => t.image);
    expect(images).toEqual([
      { kind: 'recipe', recipe: 'nodejs22.x', origin: 'local' },
      { kind: 'reference', ref: 'mine/node:arm64', origin: 'config' },
    ]);
  });

  it('refuses local images for a runtime that has no recipe', async () => {
    const config = await configOf(`imageSet: local\n${base}`);
    expect(() => plan(config, { names: ['shared'] })).not.toThrow();
    const config20 = await configOf(`imageSet: local\nfunctions:\n  api: { runtime: nodejs20.x, source: fns/api }\n`);
    expect(() => plan(config20)).toThrow(/no offline local image for nodejs20.x/);
  });

  it('selects by name and architecture, and overrides the output directory', async () => {
    const config = await configOf(base);
    const result = plan(config, { names: ['hello', 'api'], arch: 'arm64', outDir: '/tmp/out' });
    expect(result.tasks.map((t) => t.id)).toEqual(['api-arm64', 'hello-arm64']);
    expect(result.tasks[0]!.output).toBe('/tmp/out/api-arm64.zip');
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

  it('renders a table and a JSON document', async () => {
    const config = await configOf(base);
    const result = plan(config, { names: ['hello'] });
    expect(planHuman(result, project.root)).toContain('hello-arm64  function  nodejs20.x  arm64  copy     (none: packaged as is)  dist/hello-arm64.zip');
    expect(planJson(result)).toMatchObject({ tasks: [{ id: 'hello-arm64', platform: 'linux/arm64', builder: 'copy', image: null }] });
  });
});
