// Templates by value: short tags in long form, SAM's Globals merge, the intrinsics sam build
// resolves, the mapping to lambda-pack's raw config, and the rewritten templates' exact text.
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { parseTemplate } from '../../src/template/parse.js';
import { mergeValues } from '../../src/template/globals.js';
import { parameterValues, resolve } from '../../src/template/intrinsics.js';
import { mapTemplate } from '../../src/template/map.js';
import { loadProject } from '../../src/template/project.js';
import { rewrittenTemplate, s3Value } from '../../src/template/output.js';
import { HOST } from '../helpers/host.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => { project?.remove(); project = undefined; });

function withFiles(files: Record<string, string>): TempProject {
  project = tempProject({ 'src/index.js': 'exports.handler = async () => 1;\n', ...files });
  return project;
}

describe('parseTemplate', () => {
  it('keeps short-form tags as their long form, unevaluated', () => {
    const parsed = parseTemplate('/t/template.yaml', [
      'Resources:',
      '  Fn:',
      '    Properties:',
      '      A: !Ref Param',
      '      B: !GetAtt Table.StreamArn',
      '      C: !Sub ["${X}-y", { X: !Ref Stage }]',
      '      D: !Join ["", [!If [IsProd, a, b], !Select [0, !GetAZs ""]]]',
      '      E: !Base64 { "Fn::Sub": "x" }',
    ].join('\n'));
    expect((parsed.value.Resources as { Fn: { Properties: unknown } }).Fn.Properties).toEqual({
      A: { Ref: 'Param' },
      B: { 'Fn::GetAtt': ['Table', 'StreamArn'] },
      C: { 'Fn::Sub': ['${X}-y', { X: { Ref: 'Stage' } }] },
      D: { 'Fn::Join': ['', [{ 'Fn::If': ['IsProd', 'a', 'b'] }, { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }]] },
      E: { 'Fn::Base64': { 'Fn::Sub': 'x' } },
    });
    expect(parsed.line(['Resources', 'Fn', 'Properties', 'C'])).toBe(6);
    expect(parsed.format).toBe('yaml');
  });

  it('reads JSON templates with their lines', () => {
    const parsed = parseTemplate('/t/template.json', '{\n  "Resources": {\n    "Fn": {\n      "Properties": {"Code": "src"}\n    }\n  }\n}\n');
    expect(parsed.format).toBe('json');
    expect(parsed.line(['Resources', 'Fn', 'Properties', 'Code'])).toBe(4);
  });
});

describe("SAM's Globals merge", () => {
  it('lets the resource win for plain values and intrinsics, merges mappings, concatenates lists', () => {
    expect(mergeValues(
      { Runtime: 'nodejs20.x', Layers: ['a'], Environment: { Variables: { A: '1', B: '2' } }, CodeUri: { Bucket: 'b', Key: 'k' }, Handler: { Ref: 'H' } },
      { Runtime: 'nodejs22.x', Layers: ['b', 'a'], Environment: { Variables: { B: '3' } }, CodeUri: 'src/', Handler: 'index.handler' },
    )).toEqual({ Runtime: 'nodejs22.x', Layers: ['a', 'b', 'a'], Environment: { Variables: { A: '1', B: '3' } }, CodeUri: 'src/', Handler: 'index.handler' });
  });
});

describe('intrinsics resolved for building', () => {
  const ctx = {
    parameters: parameterValues({ Stage: { Type: 'String', Default: 'dev' }, Archs: { Type: 'CommaDelimitedList', Default: 'arm64' }, NoDefault: { Type: 'String' } }, { Stage: 'prod' }),
    mappings: { Runtimes: { prod: { node: 'nodejs22.x' } } },
    conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
  };

  it('resolves parameters (overrides over Defaults), !Sub, !FindInMap and !If', () => {
    expect(resolve({ 'Fn::Sub': 'fns/${Stage}/' }, ctx)).toEqual({ ok: true, value: 'fns/prod/' });
    expect(resolve({ Ref: 'Archs' }, ctx)).toEqual({ ok: true, value: ['arm64'] });
    expect(resolve({ 'Fn::FindInMap': ['Runtimes', { Ref: 'Stage' }, 'node'] }, ctx)).toEqual({ ok: true, value: 'nodejs22.x' });
    expect(resolve({ 'Fn::If': ['IsProd', 'big/', 'small/'] }, ctx)).toEqual({ ok: true, value: 'big/' });
    expect(resolve({ 'Fn::Join': ['-', ['a', { Ref: 'Stage' }]] }, ctx)).toEqual({ ok: true, value: 'a-prod' });
  });

  it('says why what is known only at deploy time cannot be resolved', () => {
    expect(resolve({ Ref: 'NoDefault' }, ctx)).toEqual({ ok: false, reason: 'parameter "NoDefault" has no Default' });
    expect(resolve({ 'Fn::Sub': '${AWS::Region}' }, ctx)).toEqual({ ok: false, reason: 'AWS::Region is known only when the stack is deployed' });
    expect(resolve({ 'Fn::GetAtt': ['Fn', 'Arn'] }, ctx)).toEqual({ ok: false, reason: '!GetAtt is evaluated by CloudFormation when the stack is deployed' });
  });
});

const SAM = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Handler: app.handler
    CodeUri: src/
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Architectures: [arm64]
      Layers: [!Ref Deps, "arn:aws:lambda:us-east-1:123456789012:layer:ext:3"]
  Old:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/old.zip
  Raw:
    Type: AWS::Lambda::Function
    Properties:
      Code: src
      Runtime: nodejs22.x
      Handler: index.handler
  Deps:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: deps/
      CompatibleArchitectures: [arm64, x86_64]
    Metadata:
      BuildMethod: python3.12
      BuildArchitecture: arm64
  Tool:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: tool/
      Runtime: provided.al2023
      Handler: bootstrap
    Metadata:
      BuildMethod: makefile
      BuildProperties:
        WorkingDirectory: .
`;

describe('mapTemplate', () => {
  it('maps functions and layers to raw config by logical id, with warnings for what it does not build or check', () => {
    const p = withFiles({ 'template.yaml': SAM, 'deps/requirements.txt': '', 'tool/Makefile': 'build-Tool:\n\ttrue\n' });
    const mapped = mapTemplate(parseTemplate(path.join(p.root, 'template.yaml'), SAM));
    expect(mapped.functions).toEqual({
      Api: { runtime: 'python3.12', source: path.join(p.root, 'src'), handler: 'app.handler', architectures: ['arm64'], layers: ['Deps'] },
      Raw: { runtime: 'nodejs22.x', source: path.join(p.root, 'src'), handler: 'index.handler', architectures: ['x86_64'] },
      Tool: { runtime: 'provided.al2023', source: path.join(p.root, 'tool'), handler: 'bootstrap', architectures: ['x86_64'], builder: 'make', makeTarget: 'build-Tool', workingDirectory: p.root },
    });
    expect(mapped.layers).toEqual({ Deps: { runtimes: ['python3.12'], source: path.join(p.root, 'deps'), architectures: ['arm64'], builder: 'pip' } });
    expect(mapped.artifacts.map((a) => [a.logicalId, a.codeProperty, a.arch])).toEqual([['Api', 'CodeUri', 'arm64'], ['Raw', 'Code', 'x86_64'], ['Tool', 'CodeUri', 'x86_64'], ['Deps', 'ContentUri', 'arm64']]);
    expect(mapped.warnings.map((w) => [w.code, w.logicalId])).toEqual([['LAYER_UNVERIFIABLE', 'Api'], ['NOT_BUILT', 'Old']]);
    expect(mapped.warnings[0]!.message).toMatch(/template\.yaml:12: resource "Api", property "Layers\[1\]": layer arn:aws:lambda:us-east-1:123456789012:layer:ext:3 is not built from this template/);
    expect(mapped.describeField(['functions', 'Api', 'layers', 0])).toMatch(/template\.yaml:12: resource "Api", property "Layers\[0\]"$/);
    expect(mapped.describeField(['functions', 'Api', 'source'])).toMatch(/template\.yaml:6: resource "Api", property "CodeUri"$/);
  });

  it('zips a layer without BuildMethod as it is, for the runtimes of the functions that use it', () => {
    const text = 'Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: src/, Handler: index.handler, Runtime: nodejs22.x, Layers: [!Ref Plain] }\n  Plain:\n    Type: AWS::Serverless::LayerVersion\n    Properties: { ContentUri: plain/ }\n';
    const p = withFiles({ 'template.yaml': text, 'plain/nodejs/node_modules/x/index.js': '' });
    expect(mapTemplate(parseTemplate(path.join(p.root, 'template.yaml'), text)).layers).toEqual({
      Plain: { runtimes: ['nodejs22.x'], source: path.join(p.root, 'plain'), architectures: ['x86_64'], builder: 'copy' },
    });
  });
});

describe('loadProject', () => {
  it('finds template.yaml when there is no config, as sam build does, and builds from it', async () => {
    const p = withFiles({ 'template.yaml': 'Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: src, Handler: index.handler, Runtime: nodejs22.x }\n' });
    const loaded = await loadProject({ cwd: p.root, host: HOST });
    expect(loaded.config.file).toBe(path.join(p.root, 'template.yaml'));
    expect(loaded.config.outDir).toBe(path.join(p.root, 'dist'));
    expect(loaded.config.artifacts.map((a) => [a.name, a.builder, a.runtime.id, a.architectures.map((x) => x.name)])).toEqual([['Fn', 'copy', 'nodejs22.x', ['x86_64']]]);
  });

  it('takes parameters and per-function additions from a config that names the template', async () => {
    const p = withFiles({
      'sam/template.yaml': 'Parameters:\n  Rt: { Type: String, Default: nodejs20.x }\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: ../src, Handler: index.handler, Runtime: !Ref Rt }\n',
      'lambda-pack.config.yaml': 'template: sam/template.yaml\noutDir: out\nparameters: { Rt: nodejs22.x }\nfunctions:\n  Fn: { exclude: ["*.md"], env: { A: "1" } }\n',
    });
    const loaded = await loadProject({ cwd: p.root, host: HOST });
    const [fn] = loaded.config.artifacts;
    expect([fn!.runtime.id, fn!.exclude, fn!.env, fn!.source, loaded.config.outDir, loaded.config.root]).toEqual(['nodejs22.x', ['*.md'], { A: '1' }, path.join(p.root, 'src'), path.join(p.root, 'out'), p.root]);
  });
});

describe('rewritten templates', () => {
  const text = `# app
Globals:
  Function:
    CodeUri: src/   # shared code
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler   # entry
      Runtime: nodejs22.x
  Raw:
    Type: AWS::Lambda::Function
    Properties: {Code: src, Runtime: nodejs22.x, Handler: index.handler}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      DefinitionUri: api/openapi.yaml
`;
  it('adds CodeUri where it came from Globals, replaces Code, rebases other local paths, and keeps the rest', () => {
    const parsed = parseTemplate('/p/template.yaml', text);
    const artifacts = [
      { logicalId: 'Fn', type: 'AWS::Serverless::Function', kind: 'function' as const, codeProperty: 'CodeUri' as const, arch: 'x86_64' as const, places: {} },
      { logicalId: 'Raw', type: 'AWS::Lambda::Function', kind: 'function' as const, codeProperty: 'Code' as const, arch: 'x86_64' as const, places: {} },
    ];
    const built = rewrittenTemplate({ parsed, artifacts }, (a) => `${a.logicalId}-x86_64.zip`, '/p/dist');
    expect(built).toBe(text
      .replace('CodeUri: src/   # shared', 'CodeUri: ../src   # shared')
      .replace('      Handler: index.handler   # entry', '      CodeUri: Fn-x86_64.zip\n      Handler: index.handler   # entry')
      .replace('{Code: src,', '{Code: Raw-x86_64.zip,')
      .replace('DefinitionUri: api/openapi.yaml', 'DefinitionUri: ../api/openapi.yaml'));
    const packaged = rewrittenTemplate({ parsed, artifacts }, (a) => s3Value(a, { bucket: 'b', key: `k/${a.logicalId}.zip` }), '/p/dist');
    expect(packaged).toContain('      CodeUri: s3://b/k/Fn.zip\n');
    expect(packaged).toContain('{Code: { S3Bucket: b, S3Key: k/Raw.zip },');
    expect(parseTemplate('/p/dist/packaged.yaml', packaged).value.Resources).toMatchObject({ Raw: { Properties: { Code: { S3Bucket: 'b', S3Key: 'k/Raw.zip' } } } });
  });

  it('writes JSON templates as JSON', () => {
    const json = '{\n  "Resources": {\n    "Fn": {\n      "Type": "AWS::Serverless::Function",\n      "Properties": {"CodeUri": "src/", "Handler": "index.handler"}\n    }\n  }\n}\n';
    const parsed = parseTemplate('/p/template.json', json);
    const built = rewrittenTemplate({ parsed, artifacts: [{ logicalId: 'Fn', type: 'AWS::Serverless::Function', kind: 'function', codeProperty: 'CodeUri', arch: 'arm64', places: {} }] }, () => 'Fn-arm64.zip', '/p/dist');
    expect(JSON.parse(built).Resources.Fn.Properties).toEqual({ CodeUri: 'Fn-arm64.zip', Handler: 'index.handler' });
    expect(built).toBe(json.replace('"src/"', '"Fn-arm64.zip"'));
  });
});

describe('config fields for what SAM builds need (makeTarget, workingDirectory, manifest)', () => {
  const source = (p: TempProject) => ({ file: path.join(p.root, 'lambda-pack.config.yaml'), text: '', host: HOST });

  it('infers the builder from a manifest outside the source, and keeps make settings absolute', async () => {
    const p = withFiles({ 'package.json': '{"name":"app","version":"1.0.0"}', 'tool/Makefile': 'all:\n' });
    const { normalise } = await import('../../src/config/normalise.js');
    const config = normalise({
      functions: {
        api: { runtime: 'nodejs22.x', source: 'src', handler: 'index.handler', manifest: 'package.json' },
        tool: { runtime: 'provided.al2023', source: 'tool', builder: 'make', makeTarget: 'build-tool', workingDirectory: '.' },
      },
    }, source(p));
    expect(config.artifacts.map((a) => [a.name, a.builder, a.manifest, a.makeTarget, a.workingDirectory])).toEqual([
      ['api', 'npm', path.join(p.root, 'package.json'), undefined, undefined],
      ['tool', 'make', undefined, 'build-tool', p.root],
    ]);
  });

  it('refuses make settings on other builders and a manifest the builder does not read', async () => {
    const p = withFiles({ 'requirements.txt': '' });
    const { normalise } = await import('../../src/config/normalise.js');
    expect(() => normalise({ functions: { api: { runtime: 'nodejs22.x', source: 'src', makeTarget: 'build-api' } } }, source(p)))
      .toThrow(/field "functions\.api\.makeTarget": "makeTarget" is a make setting, but this function uses the copy builder/);
    expect(() => normalise({ functions: { api: { runtime: 'nodejs22.x', source: 'src', builder: 'npm', manifest: 'requirements.txt' } } }, source(p)))
      .toThrow(/field "functions\.api\.manifest": requirements\.txt is not a manifest the npm builder installs from\. Name the package\.json/);
  });
});
