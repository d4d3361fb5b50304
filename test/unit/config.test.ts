import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { HOST } from '../helpers/host.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject;
const made: TempProject[] = [];
afterEach(() => { for (const p of made.splice(0)) p.remove(); project?.remove(); });

/** A project with one Node function source and the given config file. */
function withConfig(name: string, text: string, extra: Record<string, string> = {}): TempProject {
  project = tempProject({ 'functions/api/index.js': 'exports.handler = async () => 1;\n', ...extra });
  project.file(name, text);
  made.push(project);
  return project;
}

async function configError(p: TempProject, configFile?: string): Promise<ConfigError> {
  const error = await loadConfig({ host: HOST, cwd: p.root, configFile }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

const api = 'functions:\n  api:\n    runtime: nodejs22.x\n    source: functions/api\n';

describe('config errors name the file, the field and the fix', () => {
  it('reports a YAML syntax error with its line', async () => {
    const p = withConfig('lambda-pack.config.yaml', 'functions:\n  api:\n    runtime: nodejs22.x\n   source: [unclosed\n');
    const error = await configError(p);
    expect(error.code).toBe('CONFIG_SYNTAX');
    expect(error.message).toMatch(new RegExp(`${path.join(p.root, 'lambda-pack.config.yaml').replace(/[/.]/g, '\\$&')}:\\d+`));
    expect(error.message).toContain('not valid YAML');
  });

  it('reports a JSON syntax error with its line', async () => {
    const p = withConfig('lambda-pack.config.json', '{\n  "functions": {\n    "api": { "runtime": "nodejs22.x", }\n  }\n}\n');
    const error = await configError(p);
    expect(error.code).toBe('CONFIG_SYNTAX');
    expect(error.message).toContain('lambda-pack.config.json:3');
    expect(error.message).toContain('not valid JSON');
  });

  it('lists the valid runtimes for an unknown one, with the field and its line', async () => {
    const p = withConfig('lambda-pack.config.yaml', 'functions:\n  api:\n    runtime: nodejs22\n    source: functions/api\n');
    const error = await configError(p);
    expect(error.code).toBe('UNKNOWN_RUNTIME');
    expect(error.message).toContain('lambda-pack.config.yaml:3');
    expect(error.message).toContain('functions.api.runtime');
    expect(error.message).toContain('Did you mean "nodejs22.x"?');
    expect(error.message).toContain('python3.12');
    expect(error.message).toContain('provided.al2023');
  });

  it('rejects an unknown architecture and says how Lambda spells them', async () => {
    const p = withConfig('lambda-pack.config.yaml', `architectures: [x86_64, aarch64]\n${api}`);
    const error = await configError(p);
    expect(error.code).toBe('UNKNOWN_ARCHITECTURE');
    expect(error.message).toContain('architectures[1]');
    expect(error.message).toContain('x86_64 or arm64');
  });

  it('rejects an unknown architecture on one function', async () => {
    const p = withConfig('lambda-pack.config.yaml', `${api}    architectures: [amd64]\n`);
    const error = await configError(p);
    expect(error.code).toBe('UNKNOWN_ARCHITECTURE');
    expect(error.message).toContain('functions.api.architectures[0]');
    expect(error.message).toContain('Did you mean "arm64"?');
  });

  it('names a missing source directory and where relative paths start', async () => {
    const p = withConfig('lambda-pack.config.yaml', 'functions:\n  api:\n    runtime: nodejs22.x\n    source: functions/nope\n');
    const error = await configError(p);
    expect(error.code).toBe('SOURCE_NOT_FOUND');
    expect(error.message).toContain('functions.api.source');
    expect(error.message).toContain(path.join(p.root, 'functions/nope'));
    expect(error.message).toContain(`resolved from ${p.root}`);
  });

  it('refuses a source that points outside the project', async () => {
    const p = withConfig('lambda-pack.config.yaml', 'functions:\n  api:\n    runtime: nodejs22.x\n    source: ../\n');
    const error = await configError(p);
    expect(error.code).toBe('SOURCE_OUTSIDE_PROJECT');
    expect(error.message).toContain('outside the project');
  });

  it('refuses one name used by a function and a layer', async () => {
    const p = withConfig('lambda-pack.config.yaml', `${api}layers:\n  api:\n    runtimes: [nodejs22.x]\n    source: functions/api\n`);
    const error = await configError(p);
    expect(error.code).toBe('DUPLICATE_NAME');
    expect(error.message).toContain('layers.api');
    expect(error.message).toContain('lambda-pack.config.yaml:6');
  });

  it('refuses a duplicate key inside one section as a syntax error with its line', async () => {
    const p = withConfig('lambda-pack.config.yaml', `${api}  api:\n    runtime: nodejs20.x\n    source: functions/api\n`);
    const error = await configError(p);
    expect(error.code).toBe('CONFIG_SYNTAX');
    expect(error.message).toContain('lambda-pack.config.yaml:5');
  });

  it('suggests the closest key for a misspelt one', async () => {
    const p = withConfig('lambda-pack.config.yaml', `${api}    handlr: index.handler\n`);
    const error = await configError(p);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('unknown key "functions.api.handlr"');
    expect(error.message).toContain('Did you mean "handler"?');
    expect(error.message).toContain('lambda-pack.config.yaml:5');
  });

  it('suggests the closest top-level key', async () => {
    const p = withConfig('lambda-pack.config.yaml', `outdir: build\n${api}`);
    const error = await configError(p);
    expect(error.message).toContain('Did you mean "outDir"?');
  });

  it('explains a wrong value type with the field', async () => {
    const p = withConfig('lambda-pack.config.yaml', `concurrency: lots\n${api}`);
    const error = await configError(p);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('field "concurrency"');
    expect(error.message).toContain('lambda-pack.config.yaml:1');
  });

  it('refuses a builder that does not fit the runtime (Cargo.toml in a python function)', async () => {
    const p = withConfig('lambda-pack.config.yaml', 'functions:\n  py:\n    runtime: python3.12\n    source: functions/py\n', { 'functions/py/Cargo.toml': '[package]\nname="x"\n' });
    const error = await configError(p);
    expect(error.code).toBe('BUILDER_MISMATCH');
    expect(error.message).toContain('Cargo.toml');
    expect(error.message).toContain('python3.12');
  });

  it('refuses a function that lists a layer nobody defines', async () => {
    const p = withConfig('lambda-pack.config.yaml', `${api}    layers: [comon]\nlayers:\n  common:\n    runtimes: [nodejs22.x]\n    source: functions/api\n`);
    const error = await configError(p);
    expect(error.code).toBe('UNKNOWN_LAYER');
    expect(error.message).toContain('Did you mean "common"?');
  });

  it('says where it looked when there is no config', async () => {
    project = tempProject({ 'package.json': '{}' });
    const error = await configError(project);
    expect(error.code).toBe('CONFIG_NOT_FOUND');
    expect(error.message).toContain(project.root);
    expect(error.message).toContain('lambda-pack.config.yaml');
  });

  it('names a --config file that does not exist', async () => {
    project = tempProject();
    const error = await configError(project, 'nope.yaml');
    expect(error.code).toBe('CONFIG_NOT_FOUND');
    expect(error.message).toContain(path.join(project.root, 'nope.yaml'));
  });

  it('refuses an empty config', async () => {
    const p = withConfig('lambda-pack.config.yaml', '');
    expect((await configError(p)).code).toBe('CONFIG_EMPTY');
  });

  it('refuses a config with nothing to build', async () => {
    const p = withConfig('lambda-pack.config.yaml', 'outDir: out\n');
    expect((await configError(p)).code).toBe('NOTHING_TO_BUILD');
  });
});

describe('config discovery and normalisation', () => {
  it('finds the "lambda-pack" key of package.json', async () => {
    project = tempProject({ 'functions/api/index.js': '', 'package.json': JSON.stringify({ name: 'x', 'lambda-pack': { functions: { api: { runtime: 'nodejs22.x', source: 'functions/api' } } } }) });
    const config = await loadConfig({ host: HOST, cwd: project.root });
    expect(config.file).toBe(path.join(project.root, 'package.json'));
    expect(config.artifacts.map((a) => a.name)).toEqual(['api']);
  });

  it('judges duplicate keys in package.json only under its "lambda-pack" key', async () => {
    const fn = '"api": { "runtime": "nodejs22.x", "source": "functions/api" }';
    project = tempProject({ 'functions/api/index.js': '', 'package.json': `{ "name": "x", "scripts": { "t": "a", "t": "b" },\n  "lambda-pack": { "functions": { ${fn} } } }` });
    expect((await loadConfig({ host: HOST, cwd: project.root })).artifacts.map((a) => a.name)).toEqual(['api']);
    project.remove();
    project = tempProject({ 'functions/api/index.js': '', 'package.json': `{ "name": "x",\n  "lambda-pack": { "functions": {\n ${fn},\n ${fn} } } }` });
    const error = await configError(project);
    expect(error.code).toBe('CONFIG_SYNTAX');
    expect(error.message).toContain('package.json:4: the config is not valid JSON: the key "api" appears twice');
  });

  it('finds .lambda-packrc.json and an ES module config using defineConfig', async () => {
    project = tempProject({ 'functions/api/index.js': '', '.lambda-packrc.json': JSON.stringify({ functions: { api: { runtime: 'nodejs22.x', source: 'functions/api' } } }) });
    expect((await loadConfig({ host: HOST, cwd: project.root })).file).toBe(path.join(project.root, '.lambda-packrc.json'));
    project.remove();
    const lib = path.resolve('src/index.ts');
    project = tempProject({
      'functions/api/index.js': '',
      'lambda-pack.config.mjs': `export default { outDir: 'out', functions: { api: { runtime: 'nodejs20.x', source: 'functions/api' } } };\n`,
    });
    const config = await loadConfig({ host: HOST, cwd: project.root });
    expect(config.outDir).toBe(path.join(project.root, 'out'));
    expect(lib).toBeTruthy();
  });

  it('applies defaults, infers builders and makes paths absolute', async () => {
    const p = withConfig('lambda-pack.config.yaml', [
      'functions:',
      '  api: { runtime: nodejs22.x, source: functions/api, handler: index.handler }',
      '  deps: { runtime: nodejs22.x, source: functions/deps, architectures: [arm64, x86_64], exclude: ["test/**"], env: { NODE_ENV: production } }',
      'images:',
      '  nodejs22.x: { arm64: my/node22:arm64 }',
    ].join('\n'), { 'functions/deps/package.json': '{}' });
    const config = await loadConfig({ host: HOST, cwd: p.root });
    expect(config.outDir).toBe(path.join(p.root, 'dist'));
    expect(config.imageSet).toBe('official');
    const [apiFn, deps] = config.artifacts;
    expect(apiFn).toMatchObject({ name: 'api', kind: 'function', builder: 'copy', source: path.join(p.root, 'functions/api'), handler: 'index.handler' });
    expect(apiFn!.architectures.map((a) => a.name)).toEqual(['x86_64']);
    expect(deps).toMatchObject({ builder: 'npm', exclude: ['test/**'], env: { NODE_ENV: 'production' }, images: { arm64: 'my/node22:arm64' } });
    expect(deps!.architectures.map((a) => a.dockerPlatform)).toEqual(['linux/arm64', 'linux/amd64']);
  });

  it('resolves "certificates: system" to the host bundle and relative files to the project', async () => {
    const p = withConfig('lambda-pack.config.yaml', `certificates: [corp.pem]\n${api}`, { 'corp.pem': '-----BEGIN CERTIFICATE-----\n' });
    expect((await loadConfig({ host: HOST, cwd: p.root })).certificates).toEqual([path.join(p.root, 'corp.pem')]);
    const missing = withConfig('lambda-pack.config.yaml', `certificates: [nope.pem]\n${api}`);
    expect((await configError(missing)).code).toBe('CERTIFICATE_NOT_FOUND');
  });
});
