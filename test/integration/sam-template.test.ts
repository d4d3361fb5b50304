// A SAM project (fixtures/sam-app) built from its template with no rewrite: the built template
// points at zips byte-identical to the same project written as a lambda-pack config, keeps
// everything else line for line, and `package` to a loopback S3 server uploads only what changed.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, REPO, type CliResult } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import { tempProject, type TempProject } from '../helpers/project.js';
import { S3_ENV, startS3Server, type S3Server } from '../helpers/s3-server.js';
import { sha256 } from '../helpers/zip.js';
import { parseTemplate } from '../../src/template/parse.js';

const BUCKET = 'artifacts';
const CODE = { HelloNodeFunction: 'CodeUri', HelloPythonFunction: 'CodeUri', HelloProvidedFunction: 'CodeUri', GreetLayer: 'ContentUri' } as const;
const ZIPS = { HelloNodeFunction: 'HelloNodeFunction-arm64.zip', HelloPythonFunction: 'HelloPythonFunction-x86_64.zip', HelloProvidedFunction: 'HelloProvidedFunction-x86_64.zip', GreetLayer: 'GreetLayer-x86_64.zip' } as const;

let project: TempProject;
let s3: S3Server;
let fromTemplate: CliResult;
let fromConfig: CliResult;

const s3Args = () => ['--s3-bucket', BUCKET, '--s3-prefix', 'sam-app', '--endpoint-url', s3.endpoint, '--region', 'us-east-1'];
const run = (args: string[]) => lambdaPack(args, { cwd: project.root, env: S3_ENV });
const dist = (...parts: string[]) => path.join(project.root, 'dist', ...parts);
const resourcesOf = (file: string) => parseTemplate(file, readFileSync(file, 'utf8')).value.Resources as Record<string, { Properties: Record<string, unknown> }>;

beforeAll(async () => {
  await requireEngine();
  project = tempProject();
  cpSync(path.join(REPO, 'fixtures/sam-app'), project.root, { recursive: true });
  s3 = await startS3Server([BUCKET]);
  fromTemplate = await run(['build']);
  fromConfig = await run(['build', '--config', 'equivalent.config.yaml', '--out', 'dist-config']);
}, 600_000);

afterAll(async () => {
  await s3?.close();
  project?.remove();
});

describe('building a SAM template', () => {
  it('builds every function and layer for the architecture the template declares', () => {
    expect(fromTemplate.exitCode, fromTemplate.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(dist('manifest.json'), 'utf8')) as { artifacts: { name: string; arch: string; builder: string }[] };
    expect(manifest.artifacts.map((a) => `${a.name}-${a.arch} ${a.builder}`).sort()).toEqual([
      'GreetLayer-x86_64 make', 'HelloNodeFunction-arm64 copy', 'HelloProvidedFunction-x86_64 make', 'HelloPythonFunction-x86_64 copy',
    ]);
  });

  it('writes <out>/template.yaml whose code properties name zips byte-identical to the config build', async () => {
    expect(fromConfig.exitCode, fromConfig.stderr).toBe(0);
    const resources = resourcesOf(dist('template.yaml'));
    for (const [id, property] of Object.entries(CODE)) {
      const zip = resources[id]!.Properties[property] as string;
      expect(zip).toBe(ZIPS[id as keyof typeof ZIPS]);
      expect(await sha256(dist(zip)), id).toBe(await sha256(path.join(project.root, 'dist-config', zip)));
    }
  });

  it('changes nothing else in the template: same lines, comments and tags, only the code paths differ', () => {
    const source = readFileSync(path.join(project.root, 'template.yaml'), 'utf8').split('\n');
    const built = readFileSync(dist('template.yaml'), 'utf8').split('\n');
    expect(built).toHaveLength(source.length);
    const changed = source.map((line, i) => [line, built[i]]).filter(([a, b]) => a !== b);
    expect(changed).toEqual([
      ['      CodeUri: hello_node/', '      CodeUri: HelloNodeFunction-arm64.zip'],
      ['      CodeUri: hello_python/', '      CodeUri: HelloPythonFunction-x86_64.zip'],
      ['      CodeUri: hello_provided/', '      CodeUri: HelloProvidedFunction-x86_64.zip'],
      ['      ContentUri: greet_layer/', '      ContentUri: GreetLayer-x86_64.zip'],
    ]);
  });
});

describe('lambda-pack package against a loopback S3 server', () => {
  let first: CliResult;
  let second: CliResult;

  beforeAll(async () => {
    first = await run(['package', ...s3Args()]);
    second = await run(['package', ...s3Args()]);
  }, 120_000);

  it('puts every zip the first time, under <prefix>/<sha256>.zip', async () => {
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr.match(/^uploaded: /gm)).toHaveLength(4);
    const expected = await Promise.all(Object.values(ZIPS).map(async (zip) => `sam-app/${await sha256(dist(zip))}.zip`));
    expect(await s3.keys(BUCKET)).toEqual(expected.sort());
    for (const zip of Object.values(ZIPS)) {
      const key = `sam-app/${await sha256(dist(zip))}.zip`;
      expect((await s3.bytes(BUCKET, key)).equals(readFileSync(dist(zip))), zip).toBe(true);
    }
  });

  it('puts nothing the second time', () => {
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stderr).not.toMatch(/^uploaded: /m);
    expect(second.stderr.match(/^already in S3: /gm)).toHaveLength(4);
  });

  it('writes a packaged template naming the uploaded objects, and records them in manifest.json', async () => {
    const resources = resourcesOf(dist('packaged-template.yaml'));
    const manifest = JSON.parse(readFileSync(dist('manifest.json'), 'utf8')) as { artifacts: { name: string; sha256: string; s3?: { bucket: string; key: string; uri: string } }[] };
    for (const [id, property] of Object.entries(CODE)) {
      const record = manifest.artifacts.find((a) => a.name === id)!;
      const key = `sam-app/${record.sha256}.zip`;
      expect(record.s3).toEqual({ bucket: BUCKET, key, uri: `s3://${BUCKET}/${key}`, region: 'us-east-1' });
      expect(resources[id]!.Properties[property]).toBe(`s3://${BUCKET}/${key}`);
    }
  });

  it('puts exactly one object after one function changed (build --package)', async () => {
    const app = path.join(project.root, 'hello_node/app.mjs');
    writeFileSync(app, readFileSync(app, 'utf8').replace("'hello'", "'hi'"));
    const before = await s3.keys(BUCKET);
    const again = await run(['build', '--package', ...s3Args()]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr.match(/^uploaded: .*$/gm)).toEqual([expect.stringMatching(/^uploaded: HelloNodeFunction \(arm64\)/)]);
    const after = await s3.keys(BUCKET);
    expect(after.filter((k) => !before.includes(k))).toEqual([`sam-app/${await sha256(dist(ZIPS.HelloNodeFunction))}.zip`]);
    expect(resourcesOf(dist('packaged-template.yaml')).HelloNodeFunction!.Properties.CodeUri).toBe(`s3://${BUCKET}/sam-app/${await sha256(dist(ZIPS.HelloNodeFunction))}.zip`);
  }, 300_000);
});

describe('an image function (fixtures/sam-image)', () => {
  it('is refused with a "not yet" error naming the template line and logical id', async () => {
    const result = await lambdaPack(['build', '--template', path.join(REPO, 'fixtures/sam-image/template.yaml')], { cwd: project.root });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/sam-image\/template\.yaml:9: resource "HelloImageFunction", property "PackageType": container image functions \(PackageType: Image\) are not built by lambda-pack yet/);
  });
});
