// Rows of the bad input matrix for SAM/CloudFormation templates: each refusal names the template
// file and line, the resource's logical id and property, and the fix. Run by bad-input.test.ts.
import type { BadInput } from './bad-input.cases.js';

const INDEX = 'exports.handler = async () => "ok";\n';
const HEAD = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n";

/**
 * A template with one function HelloWorldFunction; its properties start at line 7 in the order
 * given (default CodeUri 7, Handler 8, Runtime 9). `null` leaves a property out.
 */
function template(properties: Record<string, string | null> = {}, options: { metadata?: string; before?: string; after?: string } = {}): string {
  const merged = { CodeUri: 'fn/', Handler: 'index.handler', Runtime: 'nodejs22.x', ...properties };
  const lines = Object.entries(merged).filter(([, v]) => v !== null).map(([k, v]) => `      ${k}: ${v}`);
  return `${HEAD}${options.before ?? ''}Resources:\n  HelloWorldFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n${lines.join('\n')}\n${options.metadata ?? ''}${options.after ?? ''}`;
}

/** "template.yaml:<line>: resource "<id>", property "<property>"", escaped for a RegExp. */
const at = (line: number, property: string, id = 'HelloWorldFunction') =>
  new RegExp(`template\\.yaml:${line}: resource "${id}", property "${property.replace(/[.[\]]/g, '\\$&')}"`);

const files = (text: string, extra: Record<string, string> = {}) => ({ 'template.yaml': text, 'fn/index.js': INDEX, ...extra });

export const TEMPLATES: readonly BadInput[] = [
  { name: 'a template: an unknown runtime', files: files(template({ Runtime: 'nodejs99.x' })), exit: 2,
    where: [at(9, 'Runtime'), /unknown runtime "nodejs99\.x"\. Did you mean "nodejs\d+\.x"\?/], fix: /Use one of: .*nodejs22\.x/ },
  { name: 'a template: a runtime lambda-pack does not build (java21)', files: files(template({ Runtime: 'java21' })), exit: 2,
    where: [at(9, 'Runtime'), /does not build java21/], fix: /It builds nodejs18\.x, .*provided\.al2023; keep building this resource with sam build/ },
  { name: 'a template: CodeUri outside the project', dir: 'app', files: { 'app/template.yaml': template({ CodeUri: '../shared/' }), 'shared/index.js': INDEX }, exit: 2,
    where: [at(7, 'CodeUri'), /\.\.\/shared\/ resolves to \/\S+\/shared, outside the project \/\S+\/app/],
    fix: /Move the code inside the project, or build with a lambda-pack config that names this template and sets "root"/ },
  { name: 'a template: CodeUri naming a directory that does not exist', files: files(template({ CodeUri: 'hello_world/' })), exit: 2,
    where: [at(7, 'CodeUri'), /the directory \/\S+\/hello_world does not exist/], fix: /relative paths are resolved from the template's directory/ },
  { name: 'a template: a function without Handler', files: files(template({ Handler: null })), exit: 2,
    where: [/template\.yaml:6: resource "HelloWorldFunction", property "Handler": a zip function needs a Handler/], fix: /Add Handler to the function or to Globals\.Function: index\.handler/ },
  { name: 'a template: a function with InlineCode', files: files(template({ CodeUri: null, InlineCode: '"exports.handler = async () => 1"' })), exit: 2,
    where: [at(9, 'InlineCode'), /the function's code is written inline/], fix: /Move the code into a directory and point CodeUri at it/ },
  { name: 'a template: Layers naming a resource that is not there', files: files(template({ Layers: '[!Ref SharedLayer]' })), exit: 2,
    where: [at(10, 'Layers[0]'), /!Ref SharedLayer names no resource or parameter of this template/], fix: /Define a layer resource "SharedLayer" \(AWS::Serverless::LayerVersion\) or correct the name/ },
  { name: 'a template: a misspelt short-form tag (!Reff)', files: files(template({ Runtime: '!Reff NodeRuntime' })), exit: 2,
    where: [/template\.yaml:9: resource "HelloWorldFunction": !Reff is not a CloudFormation tag\. Did you mean "!Ref"\?/], fix: /Use one of CloudFormation's short forms \(!Ref, !Condition/ },
  { name: 'a template: !Ref with a list', files: files(template({ Runtime: '!Ref [NodeRuntime]' })), exit: 2,
    where: [/template\.yaml:9: resource "HelloWorldFunction": !Ref is followed by the wrong kind of value/], fix: /CloudFormation takes !Ref with a single value, for example !Ref MyParameter/ },
  { name: 'a template: a YAML syntax error', files: files(template({ Handler: '"index.handler' })), exit: 2,
    where: [/template\.yaml:\d+: resource "HelloWorldFunction": the template is not valid YAML/], fix: /Fix the syntax at that line/ },
  { name: 'a template: an image function (not built yet)', files: files(template({ CodeUri: null, Handler: null, Runtime: null, PackageType: 'Image' }, { metadata: '    Metadata:\n      Dockerfile: Dockerfile\n' })), exit: 2,
    where: [at(7, 'PackageType'), /container image functions \(PackageType: Image\) are not built by lambda-pack yet/], fix: /Keep building image functions with sam build/ },
  { name: 'a template: BuildMethod esbuild (not supported yet)', files: files(template({}, { metadata: '    Metadata:\n      BuildMethod: esbuild\n' })), exit: 2,
    where: [at(11, 'Metadata.BuildMethod'), /BuildMethod esbuild \(bundling\) is not supported by lambda-pack yet/], fix: /Remove BuildMethod to install the function's package\.json dependencies with npm/ },
  { name: 'a template: BuildMethod go1.x', files: files(template({ Runtime: 'provided.al2023' }, { metadata: '    Metadata:\n      BuildMethod: go1.x\n' })), exit: 2,
    where: [at(11, 'Metadata.BuildMethod'), /cannot build BuildMethod "go1\.x"/], fix: /lambda-pack builds with: the runtime's own builder .*makefile, and rust-cargolambda/ },
  { name: 'a template: BuildMethod makefile without the build-<LogicalId> target',
    files: files(template({}, { metadata: '    Metadata:\n      BuildMethod: makefile\n' }), { 'fn/Makefile': 'build-Other:\n\tcp index.js $(ARTIFACTS_DIR)/\n' }), exit: 2,
    where: [at(11, 'Metadata.BuildMethod'), /\/fn\/Makefile has no target "build-HelloWorldFunction"/], fix: /Add a "build-HelloWorldFunction:" rule to \/\S+\/fn\/Makefile/ },
  { name: 'a template: two architectures (Globals and the function each list one)',
    files: files(template({ Architectures: '[arm64]' }, { before: 'Globals:\n  Function:\n    Architectures: [x86_64]\n' })), exit: 2,
    where: [/template\.yaml:\d+: resource "HelloWorldFunction", property "Architectures": a function has exactly one architecture, and this one has 2 \(x86_64, arm64\)/], fix: /Globals and the resource's own lists are concatenated, as SAM does/ },
  { name: 'a template: a Runtime from a parameter without Default',
    files: files(template({ Runtime: '!Ref NodeRuntime' }, { before: 'Parameters:\n  NodeRuntime:\n    Type: String\n' })), exit: 2,
    where: [/template\.yaml:12: resource "HelloWorldFunction", property "Runtime": its value cannot be known when building: parameter "NodeRuntime" has no Default/], fix: /or set it under "parameters:" in the lambda-pack config/ },
  { name: 'a template: a lambda-pack config that sets what the template decides',
    files: files(template()), config: 'template: template.yaml\nfunctions:\n  HelloWorldFunction:\n    runtime: python3.12\n', exit: 2,
    where: [/lambda-pack\.config\.yaml:4: field "functions\.HelloWorldFunction\.runtime": this project builds from a template, and the template decides runtime \(Runtime\)/], fix: /Remove it here and change it in the template/ },
  { name: 'a template: a lambda-pack config naming a logical id the template lacks',
    files: files(template()), config: 'template: template.yaml\nfunctions:\n  HelloFunction:\n    exclude: ["*.md"]\n', exit: 2,
    where: [/lambda-pack\.config\.yaml:3: field "functions\.HelloFunction": the template \S+template\.yaml builds no function with logical id "HelloFunction"/], fix: /Use a logical id of the template \(HelloWorldFunction\)/ },
  { name: 'a template: a JSON template with a key twice',
    files: { 'template.json': '{\n  "Resources": {\n    "Fn": {"Type": "AWS::Serverless::Function"},\n    "Fn": {"Type": "AWS::Serverless::Function"}\n  }\n}\n', 'fn/index.js': INDEX }, exit: 2,
    where: [/template\.json:4: resource "Fn": a key appears twice in the same section/], fix: /every resource needs its own logical id/ },
];
