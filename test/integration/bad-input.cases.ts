// The rows of the bad input matrix (bad-input.test.ts): a project, how lambda-pack is run on it,
// and what it must answer. Every project has one function "api" built for x86_64 into dist/.
import { chmodSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import type { TempProject } from '../helpers/project.js';
import { TEMPLATES } from './bad-template.cases.js';
import { NODE_PROJECTS } from './bad-input.node.cases.js';
import { PYTHON_LOCKS } from './bad-input.python.cases.js';

export interface BadInput {
  readonly name: string;
  /** Where the config and dist/ live, inside the temporary project; default its root. */
  readonly dir?: string;
  /** Project files, relative to the temporary project; default: the function's index.js. */
  readonly files?: Readonly<Record<string, string>>;
  /** lambda-pack.config.yaml; a function for values only known at run time (image tags). */
  readonly config?: string | ((known: KnownImages) => string);
  /** Links, modes, large files, lockfiles. */
  readonly setup?: (project: TempProject) => void | Promise<void>;
  /** After `build`. */
  readonly args?: readonly string[];
  readonly exit: 1 | 2;
  /** The message names the file (with line), the field, the function or the flag… */
  readonly where: readonly RegExp[];
  /** …and says what to do. */
  readonly fix: RegExp;
  /** Run with --json: the failure's code in the report on stdout. */
  readonly code?: string;
  /** Runs lambda-pack as a non-root user (mode bits do not stop root). */
  readonly asUser?: boolean;
}

export interface KnownImages { readonly nodeArm64: string }

const INDEX = 'exports.handler = async () => "ok";\n';
const LOCAL = 'imageSet: local\ncertificates: system\n';
const fn = (extra = '', runtime = 'nodejs22.x') => `functions:\n  api:\n    runtime: ${runtime}\n    source: fn\n    handler: index.handler\n${extra}`;
const flow = (fields: string) => `functions:\n  api: { runtime: nodejs22.x, source: fn, handler: index.handler, ${fields} }\n`;
/** "lambda-pack.config.yaml:<line>: field "<field>"", escaped for a RegExp. */
const field = (line: number, name: string) => new RegExp(`lambda-pack\\.config\\.yaml:${line}: field "${name.replace(/[.[\]]/g, '\\$&')}"`);
const EMPTY_LOCK = (name: string, deps = '') => JSON.stringify({
  name, version: '1.0.0', lockfileVersion: 3, requires: true,
  packages: { '': { name, version: '1.0.0', ...(deps ? { dependencies: JSON.parse(deps) } : {}) } },
}, null, 2);
const PACKAGE = '{"name":"fn","version":"1.0.0"}';
/** A function with a dependency, so it has an install (and an image to run it in). */
const WITH_DEPENDENCY = { 'fn/index.js': 'exports.handler = async () => "ok";\n', 'fn/package.json': '{"name":"fn","version":"1.0.0","dependencies":{"ms":"2.1.3"}}' };

export const CONFIG_SYNTAX: readonly BadInput[] = [
  { name: 'a YAML syntax error', config: fn('    exclude: [test/**\n'), exit: 2,
    where: [/lambda-pack\.config\.yaml:\d+: the config is not valid YAML/], fix: /Fix the syntax at that line/ },
  { name: 'a JSON syntax error (a trailing comma)', files: { 'fn/index.js': INDEX, 'lambda-pack.config.json': '{\n  "functions": {\n    "api": { "runtime": "nodejs22.x", "source": "fn", }\n  }\n}\n' },
    exit: 2, where: [/lambda-pack\.config\.json:3: the config is not valid JSON/], fix: /a trailing comma or a missing quote/ },
  { name: 'one function name used twice (YAML)', config: `${fn()}  api:\n    runtime: python3.11\n    source: fn\n`, exit: 2,
    where: [/lambda-pack\.config\.yaml:6: .*the key "api" appears twice/], fix: /give each function and layer its own name/ },
  { name: 'one function name used twice (JSON, which JSON.parse would silently accept)',
    files: { 'fn/index.js': INDEX, 'lambda-pack.config.json': '{"functions": {\n  "api": {"runtime": "nodejs22.x", "source": "fn"},\n  "api": {"runtime": "python3.11", "source": "fn"}\n}}\n' },
    exit: 2, where: [/lambda-pack\.config\.json:3: .*the key "api" appears twice/], fix: /give each function and layer its own name/ },
  { name: 'an empty config file', config: '', exit: 2, where: [/lambda-pack\.config\.yaml: the config is empty/], fix: /Add a "functions:" \(or "layers:"\) section/ },
  { name: 'no config at all', files: { 'fn/index.js': INDEX, 'package.json': '{"name":"no-config"}' }, exit: 2,
    where: [/No lambda-pack config found in \/\S+ or its parents/], fix: /Create lambda-pack\.config\.yaml there/ },
  { name: 'a --config file that does not exist', config: fn(), args: ['--config', 'lambda-pack.prod.yaml'], exit: 2,
    where: [/lambda-pack\.prod\.yaml does not exist/], fix: /Check the --config path/ },
  { name: 'a wrong type under the "lambda-pack" key of package.json',
    files: { 'fn/index.js': INDEX, 'package.json': '{\n  "name": "p",\n  "lambda-pack": {\n    "functions": { "api": { "runtime": "nodejs22.x", "source": "fn", "handler": ["index.handler"] } }\n  }\n}\n' },
    exit: 2, where: [/package\.json:4: field "functions\.api\.handler"/, /expected string, received array/], fix: /Correct the value of "functions\.api\.handler"/ },
];

export const CONFIG_SCHEMA: readonly BadInput[] = [
  { name: 'an unknown top-level key (a misspelt outDir)', config: `outdir: build\n${fn()}`, exit: 2,
    where: [/lambda-pack\.config\.yaml:1: unknown key "outdir"/], fix: /Did you mean "outDir"\?/ },
  { name: 'an unknown function key', config: fn('    sorce: fn\n'), exit: 2,
    where: [/lambda-pack\.config\.yaml:6: unknown key "functions\.api\.sorce"/], fix: /Did you mean "source"\? Remove it or correct the spelling/ },
  { name: 'a runtime of the wrong type', config: 'functions:\n  api:\n    runtime: 22\n    source: fn\n', exit: 2,
    where: [field(3, 'functions.api.runtime'), /expected string, received number/], fix: /Correct the value/ },
  { name: 'a handler of the wrong type', config: 'functions:\n  api: { runtime: nodejs22.x, source: fn, handler: 42 }\n', exit: 2,
    where: [field(2, 'functions.api.handler'), /expected string, received number/], fix: /Correct the value/ },
  { name: 'an unknown runtime', config: fn('', 'nodejs99.x'), exit: 2,
    where: [field(3, 'functions.api.runtime'), /unknown runtime "nodejs99\.x"/], fix: /Use one of: .*nodejs22\.x/ },
  { name: 'an unknown architecture', config: fn('    architectures: [amd64]\n'), exit: 2,
    where: [field(6, 'functions.api.architectures[0]'), /unknown architecture "amd64"/], fix: /Use x86_64 or arm64/ },
  { name: 'architectures written as a string', config: `architectures: x86_64\n${fn()}`, exit: 2,
    where: [field(1, 'architectures'), /expected array, received string/], fix: /Correct the value of "architectures"/ },
  { name: 'an architecture listed twice', config: `architectures: [x86_64, x86_64]\n${fn()}`, exit: 2,
    where: [field(1, 'architectures[1]'), /"x86_64" is listed twice/], fix: /List each architecture once/ },
  { name: 'a function and a layer of the same name', config: `${fn()}layers:\n  api:\n    runtimes: [nodejs22.x]\n    source: fn\n`, exit: 2,
    where: [field(7, 'layers.api'), /names both a function and a layer/], fix: /Give the layer a different name/ },
  { name: 'an unknown layer', config: fn('    layers: [shared]\n'), exit: 2,
    where: [field(6, 'functions.api.layers[0]'), /no layer named "shared"/], fix: /Define it under "layers:" or remove it/ },
  { name: 'a layer of another language', config: `${flow('layers: [py]')}layers:\n  py: { runtimes: [python3.11], source: fn }\n`, exit: 2,
    where: [field(2, 'functions.api.layers[0]'), /layer "py" is built for python3\.11, not nodejs22\.x/], fix: /Add nodejs22\.x to layers\.py\.runtimes/ },
  { name: 'more than five layers', config: flow('layers: [a, b, c, d, e, f]'), exit: 2,
    where: [field(2, 'functions.api.layers'), /6 layers listed/], fix: /Merge layers/ },
  { name: 'a function name that would escape the output directory', config: 'functions:\n  "../escape":\n    runtime: nodejs22.x\n    source: fn\n', exit: 2,
    where: [/lambda-pack\.config\.yaml:2: the function name "\.\.\/escape"/, /names may contain letters, digits/], fix: /Rename it/ },
  { name: 'an invalid environment variable name', config: flow('env: { BAD-NAME: x }'), exit: 2,
    where: [/lambda-pack\.config\.yaml:2: the environment variable name "BAD-NAME"/], fix: /letters, digits and "_"\. Rename it/ },
  { name: 'concurrency of the wrong type', config: `concurrency: four\n${fn()}`, exit: 2,
    where: [field(1, 'concurrency'), /expected number, received string/], fix: /Correct the value of "concurrency"/ },
  { name: 'an unknown image set', config: `imageSet: offline\n${fn()}`, exit: 2,
    where: [field(1, 'imageSet'), /expected one of "official"\|"local"/], fix: /Correct the value of "imageSet"/ },
  { name: 'a memory limit that is not a size', config: `docker: { memory: lots }\n${fn()}`, exit: 2,
    where: [field(1, 'docker.memory')], fix: /a size such as 2g or 512m/ },
  { name: 'an engine per architecture under a wrong architecture name', config: `docker:\n  hosts:\n    aarch64: ssh://me@arm\n${fn()}`, exit: 2,
    where: [/lambda-pack\.config\.yaml:3: unknown key "docker\.hosts\.aarch64"/], fix: /valid keys here are: x86_64, arm64/ },
  { name: 'an engine that is not an address', config: `docker:\n  hosts:\n    arm64: graviton.internal\n${fn()}`, exit: 2,
    where: [field(3, 'docker.hosts.arm64'), /"graviton\.internal" is not a Docker engine address/], fix: /ssh:\/\/user@host/ },
  { name: 'an engine with both an address and a context', config: `docker:\n  hosts:\n    arm64: { host: "ssh://me@arm", context: arm }\n${fn()}`, exit: 2,
    where: [field(3, 'docker.hosts.arm64'), /names both an address/], fix: /Give exactly one/ },
  { name: 'TLS files for an ssh:// engine', config: `docker:\n  host: { host: "ssh://me@arm", ca: ca.pem }\n${fn()}`, exit: 2,
    where: [field(2, 'docker.host'), /TLS settings only apply to tcp:\/\/ engines/], fix: /use a tcp:\/\/ address/ },
  { name: 'an engine client certificate that does not exist', config: `docker:\n  hosts:\n    arm64:\n      host: tcp://arm:2376\n      certPath: ./no-certs\n${fn()}`, exit: 2,
    where: [field(5, 'docker.hosts.arm64.certPath'), /no-certs\/ca\.pem does not exist/], fix: /Point it at a readable file/ },
  { name: 'a Docker context that does not exist', config: `docker:\n  hosts:\n    arm64: { context: lambda-pack-no-such-context }\n${fn('    architectures: [arm64]\n')}`, exit: 2,
    where: [/docker\.hosts\.arm64 names the Docker context "lambda-pack-no-such-context"/], fix: /docker context ls/ },
  { name: 'a certificate file that does not exist', config: `certificates: [./corp-ca.pem]\n${fn()}`, exit: 2,
    where: [field(1, 'certificates[0]'), /corp-ca\.pem does not exist/], fix: /Point it at a readable PEM file/ },
  { name: 'a root that is not a directory', config: `root: nowhere\n${fn()}`, exit: 2,
    where: [field(1, 'root'), /nowhere is not a directory/], fix: /Point "root" at the directory that holds every source/ },
  { name: 'a passEnv variable that is not set', config: fn('    passEnv: [LAMBDA_PACK_TEST_UNSET_TOKEN]\n'), exit: 2,
    where: [/Function "api": passEnv names LAMBDA_PACK_TEST_UNSET_TOKEN/], fix: /Set it, or remove it from passEnv/ },
  { name: 'a builder that does not fit the runtime (builder: cargo for Node)', config: fn('    builder: cargo\n'), exit: 2,
    where: [field(6, 'functions.api.builder'), /the cargo builder .*cannot build a nodejs22\.x function/], fix: /set "builder" to one of: npm, make, copy/ },
  { name: 'cross: true on a builder other than make', config: fn('    cross: true\n'), exit: 2,
    where: [field(6, 'functions.api.cross'), /uses the copy builder/], fix: /Remove "cross"/ },
  { name: 'a Cargo.toml in a python3.11 function', files: { 'fn/app.py': 'def handler(e, c): return 1\n', 'fn/Cargo.toml': '[package]\nname = "x"\n' },
    config: 'functions:\n  api:\n    runtime: python3.11\n    source: fn\n    handler: app.handler\n', exit: 2,
    where: [field(4, 'functions.api.source'), /the cargo builder \(found Cargo\.toml\) cannot build a python3\.11 function/], fix: /Use a runtime that fits \(provided\.al2023\), or set "builder" to one of: pip, make, copy/ },
];

export const PATHS: readonly BadInput[] = [
  { name: 'a source outside the project (../)', dir: 'project', files: { 'outside/index.js': INDEX },
    config: 'functions:\n  api:\n    runtime: nodejs22.x\n    source: ../outside\n', exit: 2,
    where: [field(4, 'functions.api.source'), /\.\.\/outside resolves to \S+\/outside, outside the project/], fix: /Keep sources inside the project/ },
  { name: 'a source reached through a symlinked directory that leaves the project', dir: 'project', files: { 'outside/index.js': INDEX },
    config: fn(), setup: (p) => { p.link('project/fn', '../outside'); }, exit: 2,
    where: [field(4, 'functions.api.source'), /fn resolves to \S+\/outside, outside the project/], fix: /Keep sources inside the project/ },
  { name: 'a source directory that does not exist', files: {}, config: fn(), exit: 2,
    where: [field(4, 'functions.api.source'), /the directory \S+\/fn does not exist/], fix: /Create it or correct the path/ },
  { name: 'a source that is a file', files: { fn: INDEX }, config: fn(), exit: 2,
    where: [field(4, 'functions.api.source'), /\/fn is not a directory/], fix: /Point "source" at the function's directory/ },
  { name: 'a source whose every file is excluded', config: fn('    exclude: ["**"]\n'), exit: 2,
    where: [/Function "api": every file of \S+\/fn is excluded/], fix: /Narrow "exclude" in the config/ },
  { name: 'an empty source directory (only empty folders)', files: {}, config: fn(), setup: (p) => { p.dir('fn/lib/empty'); }, exit: 2,
    where: [/Function "api": \S+\/fn contains no files to package/], fix: /Put the function's code there, or fix "source"/ },
  { name: 'a source holding only what never ships (node_modules, .git)', files: { 'fn/node_modules/x/index.js': INDEX, 'fn/.git/HEAD': 'ref\n' }, config: fn(), exit: 2,
    where: [/Function "api": \S+\/fn contains no files to package/], fix: /Put the function's code there/ },
  { name: 'a symlink to a file outside the source (absolute)', config: fn(), setup: (p) => { p.link('fn/passwd', '/etc/passwd'); }, exit: 2,
    where: [/Function "api": the symlink \S+\/fn\/passwd → \/etc\/passwd points outside the function's source/], fix: /replace the link with a copy of what it points to, or remove it/ },
  { name: 'a symlink to a project file outside the source (relative)', files: { 'fn/index.js': INDEX, 'secrets/.env': 'TOKEN=1\n' }, config: fn(),
    setup: (p) => { p.link('fn/config.env', '../secrets/.env'); }, exit: 2,
    where: [/Function "api": the symlink \S+\/fn\/config\.env → \.\.\/secrets\/\.env points outside/], fix: /never follows links out of a source directory/ },
  { name: 'a symlinked directory outside the source, even when excluded', config: fn('    exclude: ["lib/**"]\n'),
    setup: (p) => { p.dir('shared/lib'); p.file('shared/lib/x.js', INDEX); p.link('fn/lib', '../shared/lib'); }, exit: 2,
    where: [/Function "api": the symlink \S+\/fn\/lib → \.\.\/shared\/lib points outside/], fix: /"exclude" does not help/ },
  { name: 'a symlink loop', config: fn(), setup: (p) => { p.link('fn/a', 'b'); p.link('fn/b', 'a'); }, exit: 2,
    where: [/Function "api": the symlink \S+\/fn\/a → b is part of a symlink loop/], fix: /Remove it or fix its target/ },
  { name: 'a dangling symlink', config: fn(), setup: (p) => { p.link('fn/gone.js', 'nowhere.js'); }, exit: 2,
    where: [/Function "api": the symlink \S+\/fn\/gone\.js → nowhere\.js points to something that does not exist/], fix: /Remove it or fix its target/ },
  { name: 'an unreadable source directory (chmod 000)', config: fn(), asUser: true, setup: (p) => { chmodSync(path.join(p.root, 'fn'), 0o000); }, exit: 2,
    where: [field(4, 'functions.api.source'), /\/fn cannot be read by this user/], fix: /Fix its permissions \(chmod u\+rx\)/ },
  { name: 'an unreadable folder inside the source (chmod 000)', config: fn(), asUser: true,
    setup: (p) => { p.file('fn/lib/util.js', INDEX); chmodSync(path.join(p.root, 'fn/lib'), 0o000); }, exit: 2,
    where: [/Function "api": cannot read \S+\/fn\/lib \(EACCES\)/], fix: /Make it readable for the user running lambda-pack \(chmod -R u\+rX/ },
  { name: 'an unreadable file inside the source (chmod 000)', config: fn(), asUser: true,
    setup: (p) => { p.file('fn/private.js', INDEX); chmodSync(path.join(p.root, 'fn/private.js'), 0o000); }, exit: 2,
    where: [/Function "api": cannot read \S+\/fn\/private\.js \(EACCES\)/], fix: /Make it readable for the user running lambda-pack/ },
];

export const BUILDS: readonly BadInput[] = [
  { name: 'an npm function with dependencies but without package-lock.json', files: { 'fn/index.js': INDEX, 'fn/package.json': '{"name":"fn","version":"1.0.0","dependencies":{"ms":"2.1.3"}}' }, config: fn(), exit: 2,
    where: [/Function "api": \S+\/fn has package\.json with dependencies but no lockfile/], fix: /npm install --package-lock-only/ },
  { name: 'a pip function without requirements', files: { 'fn/app.py': 'def handler(e, c): return 1\n' },
    config: 'functions:\n  api:\n    runtime: python3.11\n    source: fn\n    builder: pip\n', exit: 2,
    where: [/Function "api": \S+\/fn has neither requirements\.txt nor pyproject\.toml/], fix: /Add a requirements\.txt \(it may be empty\), or set builder: copy/ },
  { name: 'a lockfile out of sync with package.json (npm ci refuses, in the container)', code: 'BUILD_FAILED',
    files: { 'fn/index.js': INDEX, 'fn/package.json': '{"name":"fn","version":"1.0.0","dependencies":{"is-number":"^7.0.0"}}', 'fn/package-lock.json': EMPTY_LOCK('fn') },
    config: `${LOCAL}${fn()}`, exit: 1,
    where: [/api-x86_64: the npm build step failed with exit code 1/, /Missing: is-number@7\.0\.0 from lock file/], fix: /Please update your lock file with `npm install`/ },
  { name: 'pip requirements that do not resolve (offline index)', code: 'BUILD_FAILED',
    files: { 'fn/app.py': 'def handler(e, c): return 1\n', 'fn/requirements.txt': 'requests==2.0\n' },
    config: `${LOCAL}functions:\n  api:\n    runtime: python3.11\n    source: fn\n    handler: app.handler\n`, exit: 1,
    // pip's own diagnosis is the only guidance: lambda-pack adds no fix line to a failed install.
    where: [/api-x86_64: the pip build step failed with exit code 1/], fix: /No matching distribution found for requests==2\.0/ },
  { name: 'a dependency whose compile fails (a broken node-gyp addon)', code: 'BUILD_FAILED',
    files: {
      'fn/index.js': INDEX,
      'fn/.npmrc': 'install-links=true\n',
      'fn/package.json': '{"name":"fn","version":"1.0.0","dependencies":{"broken-addon":"file:addon"}}',
      'fn/addon/package.json': '{"name":"broken-addon","version":"1.0.0","gypfile":true}',
      'fn/addon/binding.gyp': '{"targets":[{"target_name":"broken","sources":["broken.c"]}]}',
      'fn/addon/broken.c': '#include <node_api.h>\nint broken_function( { return 1; }\n',
    },
    setup: async (p) => { await execa('npm', ['install', '--package-lock-only', '--install-links', '--ignore-scripts'], { cwd: path.join(p.root, 'fn') }); },
    config: `${LOCAL}${fn('    exclude: ["addon/**"]\n')}`, exit: 1,
    where: [/api-x86_64: the npm build step failed with exit code \d+/], fix: /broken\.c:2:\d+: error: / },
  { name: 'a package over Lambda\'s 250 MB unzipped limit', code: 'VERIFY_FAILED', config: fn(),
    setup: (p) => { truncateSync(p.file('fn/model.bin'), 251 * 1024 * 1024); }, exit: 1,
    where: [/api-x86_64: [^\n]*nodejs22\.x \(x86_64\)[^\n]*not written/, /UNZIPPED_TOO_LARGE \(whole zip\): the function and its layers unzip to \d+ bytes; Lambda allows 262144000/], fix: /fix: Remove unneeded files/ },
  { name: 'an image reference that does not exist', code: 'IMAGE_UNAVAILABLE',
    files: { ...WITH_DEPENDENCY, 'fn/package-lock.json': EMPTY_LOCK('fn', '{"ms":"2.1.3"}') },
    config: `${LOCAL}${fn('    image: does-not-exist.invalid/nope:1\n')}`, exit: 1,
    where: [/Image does-not-exist\.invalid\/nope:1 \(linux\/amd64\) is not on the engine at \S+ and could not be pulled/], fix: /Check the name and tag/ },
  { name: 'an image of the wrong architecture', code: 'IMAGE_WRONG_ARCH',
    files: { ...WITH_DEPENDENCY, 'fn/package-lock.json': EMPTY_LOCK('fn', '{"ms":"2.1.3"}') },
    config: (known) => `${LOCAL}${fn(`    image: ${known.nodeArm64}\n`)}`, exit: 1,
    where: [/Image lambda-pack-local\/nodejs22\.x:arm64-\w+ is linux\/arm64, but this task builds for x86_64 \(linux\/amd64\)/], fix: /Use an image made for linux\/amd64/ },
];

/** A manifest or lockfile that does not parse: the file, its line and how to regenerate or fix it, before any container. */
export const MANIFESTS: readonly BadInput[] = [
  { name: 'a makeTarget the Makefile does not have', files: { 'fn/Makefile': 'build-other:\n\ttrue\n' },
    config: `${LOCAL}${fn('    makeTarget: build-api\n', 'provided.al2023')}`, exit: 2,
    where: [/\/fn\/Makefile has no target "build-api", which "api" builds with/], fix: /Add the target \(it installs into \$\(ARTIFACTS_DIR\)\), or name one the Makefile has/ },
  { name: 'a malformed package-lock.json', files: { 'fn/index.js': INDEX, 'fn/package.json': PACKAGE, 'fn/package-lock.json': '{\n  "lockfileVersion": 3,\n  "packages": {\n    "": { "name": "fn" }\n    "node_modules/ms": {}\n  }\n}\n' },
    config: `${LOCAL}${fn()}`, exit: 2, where: [/\/fn\/package-lock\.json:5: cannot read package-lock\.json/], fix: /Regenerate it with: npm install --package-lock-only/ },
  { name: 'a malformed package.json', files: { 'fn/index.js': INDEX, 'fn/package.json': '{"name": "fn",,}', 'fn/package-lock.json': EMPTY_LOCK('fn') },
    config: `${LOCAL}${fn()}`, exit: 2, where: [/\/fn\/package\.json:1: cannot read package\.json/], fix: /Fix the JSON syntax of package\.json/ },
  { name: 'a malformed Cargo.toml', files: { 'fn/Cargo.toml': '[package]\nname = "x"\nversion = 1.0.0"\n', 'fn/src/main.rs': 'fn main() {}\n' },
    config: `${LOCAL}${fn('', 'provided.al2023')}`, exit: 2, where: [/\/fn\/Cargo\.toml:3: cannot read Cargo\.toml/], fix: /Fix the file/ },
  { name: 'a malformed Cargo.lock', files: { 'fn/Cargo.toml': '[package]\nname = "x"\nversion = "1.0.0"\n', 'fn/Cargo.lock': 'version = 3\n[[package]\nname = "x"\n', 'fn/src/main.rs': 'fn main() {}\n' },
    config: `${LOCAL}${fn('', 'provided.al2023')}`, exit: 2, where: [/\/fn\/Cargo\.lock:2: cannot read Cargo\.lock/], fix: /Regenerate it with: cargo generate-lockfile/ },
  { name: 'a malformed pyproject.toml of a local package', files: { 'fn/app.py': 'def handler(e, c): return 1\n', 'fn/requirements.txt': './lib\n', 'fn/lib/pyproject.toml': '[project]\nname = "lib\n' },
    config: `${LOCAL}functions:\n  api:\n    runtime: python3.11\n    source: fn\n    handler: app.handler\n`, exit: 2,
    where: [/\/fn\/lib\/pyproject\.toml:2: cannot read pyproject\.toml/], fix: /Fix the TOML syntax of pyproject\.toml/ },
];

export const USAGE: readonly BadInput[] = [
  { name: '--arch with an unknown architecture', config: fn(), args: ['--arch', 'ppc64'], exit: 2,
    where: [/option '--arch <arch>' argument 'ppc64' is invalid/], fix: /Allowed choices are x86_64, arm64, all/ },
  { name: '--concurrency 0', config: fn(), args: ['--concurrency', '0'], exit: 2, where: [/--concurrency 0/], fix: /must be a whole number from 1 to 64/ },
  { name: '--concurrency that is not a number', config: fn(), args: ['--concurrency', 'lots'], exit: 2, where: [/--concurrency lots/], fix: /must be a whole number from 1 to 64/ },
  { name: 'a misspelt option', config: fn(), args: ['--archh', 'x86_64'], exit: 2, where: [/unknown option '--archh'/], fix: /Did you mean --arch\?/ },
  { name: 'an unknown function name', config: fn(), args: ['apii'], exit: 2,
    where: [/No function or layer named "apii" in \S+lambda-pack\.config\.yaml/], fix: /Did you mean "api"\? Known names: api/ },
  { name: 'an --arch no selected function is built for', config: fn(), args: ['--arch', 'arm64'], exit: 2,
    where: [/Nothing to build: no selected function or layer is configured for arm64/], fix: /Add arm64 to its "architectures" in \S+lambda-pack\.config\.yaml, or choose another --arch/ },
];

export const BAD_INPUTS: readonly BadInput[] = [...CONFIG_SYNTAX, ...CONFIG_SCHEMA, ...PATHS, ...BUILDS, ...MANIFESTS, ...NODE_PROJECTS, ...PYTHON_LOCKS, ...USAGE, ...TEMPLATES];

export { INDEX };
