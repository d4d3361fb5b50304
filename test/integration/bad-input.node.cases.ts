// Bad-input rows of Node projects beyond npm's (bad-input.cases.ts holds the matrix): lockfiles,
// package managers and workspaces that cannot give a correct install, each refused with the file
// and the fix, before any zip.
import type { BadInput } from './bad-input.cases.js';

const INDEX = 'exports.handler = async () => "ok";\n';
const LOCAL = 'imageSet: local\ncertificates: system\n';
const fn = (source = 'fn') => `functions:\n  api:\n    runtime: nodejs22.x\n    source: ${source}\n    handler: index.handler\n`;
const WITH_MS = (extra: Record<string, unknown> = {}) => JSON.stringify({ name: 'fn', version: '1.0.0', ...extra, dependencies: { ms: '2.1.3' } });
const NPM_LOCK = JSON.stringify({ name: 'fn', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'fn', version: '1.0.0', dependencies: { ms: '2.1.3' } } } });
const MS = 'sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==';
const PNPM_LOCK = (importer = '.') => `lockfileVersion: '9.0'\n\nimporters:\n\n  ${importer}:\n    dependencies:\n      ms:\n        specifier: 2.1.3\n        version: 2.1.3\n\npackages:\n\n  ms@2.1.3:\n    resolution: {integrity: ${MS}}\n\nsnapshots:\n\n  ms@2.1.3: {}\n`;
const BERRY_LOCK = '__metadata:\n  version: 10\n  cacheKey: 10c0\n\n"fn@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "fn@workspace:."\n  dependencies:\n    ms: "npm:2.1.3"\n  languageName: unknown\n  linkType: soft\n\n"ms@npm:2.1.3":\n  version: 2.1.3\n  resolution: "ms@npm:2.1.3"\n  languageName: node\n  linkType: hard\n';

export const NODE_PROJECTS: readonly BadInput[] = [
  { name: 'two lockfiles in one function (package-lock.json and pnpm-lock.yaml)',
    files: { 'fn/index.js': INDEX, 'fn/package.json': WITH_MS(), 'fn/package-lock.json': NPM_LOCK, 'fn/pnpm-lock.yaml': PNPM_LOCK() },
    config: fn(), exit: 2, where: [/fn\/package-lock\.json and fn\/pnpm-lock\.yaml: 2 lockfiles in one project/], fix: /Delete the one the project does not use/ },
  { name: 'a yarn Plug\'n\'Play project (no nodeLinker: node-modules)',
    files: { 'fn/index.js': INDEX, 'fn/package.json': WITH_MS({ packageManager: 'yarn@4.18.1' }), 'fn/yarn.lock': BERRY_LOCK, 'fn/.yarnrc.yml': 'enableTelemetry: false\n' },
    config: fn(), exit: 2, where: [/\/fn\/\.yarnrc\.yml: no nodeLinker, so yarn uses Plug'n'Play/, /Lambda cannot load packages from Plug'n'Play's zip archives/], fix: /Add "nodeLinker: node-modules" to \S+\/fn\/\.yarnrc\.yml/ },
  { name: 'a "packageManager" release that cannot be installed (pnpm@99.0.0)', code: 'BUILD_FAILED',
    files: { 'fn/index.js': INDEX, 'fn/package.json': WITH_MS({ packageManager: 'pnpm@99.0.0' }), 'fn/pnpm-lock.yaml': PNPM_LOCK() },
    config: `${LOCAL}${fn()}`, exit: 1, where: [/api-x86_64: the npm build step failed with exit code 1/, /could not download pnpm@99\.0\.0 from the npm registry/], fix: /check that package\.json "packageManager" names a published release/ },
  { name: 'a workspace function whose dependency is not in the lockfile',
    files: {
      'package.json': JSON.stringify({ name: 'mono', private: true }), 'pnpm-workspace.yaml': 'packages:\n  - packages/*\n', 'pnpm-lock.yaml': PNPM_LOCK('packages/fn'),
      'packages/fn/index.js': INDEX, 'packages/fn/package.json': JSON.stringify({ name: 'fn', version: '1.0.0', dependencies: { ms: '2.1.3', debug: '4.4.3' } }),
    },
    config: fn('packages/fn'), exit: 2, where: [/\S+\/packages\/fn\/package\.json depends on "debug", which \S+\/pnpm-lock\.yaml does not pin for packages\/fn/], fix: /Update it with: pnpm install --lockfile-only/ },
  { name: 'a file: sibling that npm would only link, without its dependencies ("file:../shared")',
    files: {
      'fn/index.js': 'exports.handler = async () => require("shared").timeout("1m");\n',
      'fn/package.json': JSON.stringify({ name: 'fn', version: '1.0.0', dependencies: { shared: 'file:../shared' } }),
      'fn/package-lock.json': JSON.stringify({ name: 'fn', version: '1.0.0', lockfileVersion: 3, requires: true, packages: {
        '': { name: 'fn', version: '1.0.0', dependencies: { shared: 'file:../shared' } },
        '../shared': { version: '1.0.0', dependencies: { ms: '2.1.3' } },
        'node_modules/shared': { resolved: '../shared', link: true },
      } }),
      'shared/package.json': JSON.stringify({ name: 'shared', version: '1.0.0', dependencies: { ms: '2.1.3' } }),
      'shared/index.js': 'exports.timeout = (t) => require("ms")(t);\n',
    },
    config: fn(), exit: 2, where: [/\S+\/fn\/package-lock\.json links \.\.\/shared \(a file: dependency\) instead of installing it, and pins none of its dependencies \(ms\)/], fix: /add install-links=true to \S+\/fn\/\.npmrc, then run: npm install --install-links --package-lock-only/ },
];
