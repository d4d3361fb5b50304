// bundle: esbuild on a TypeScript handler whose dependencies are installed pnpm-style (a
// workspace library through a symlink, packages under node_modules/.pnpm): native packages are
// found and kept external, the rest is bundled, and the output is the same bytes every time.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundle } from '../../src/builders/node/bundle.js';
import { ConfigError } from '../../src/errors.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject;
const pkg = (name: string, extra: Record<string, unknown> = {}) => JSON.stringify({ name, version: '1.2.3', main: 'index.js', ...extra });

beforeEach(() => {
  project = tempProject({
    'packages/api/package.json': JSON.stringify({ name: '@acme/api', dependencies: { '@acme/db': 'workspace:*', ms: '2.1.3', 'native-sum': 'workspace:*', 'fast-crc': '1.0.0' } }),
    'packages/api/src/index.ts': [
      "import ms from 'ms';",
      "import { label } from '@acme/db';",
      "import { crc } from 'fast-crc';",
      "import { sum } from 'native-sum';",
      "import { S3Client } from '@aws-sdk/client-s3';",
      'export const handler = async (event: { n?: number[] }) => ({ label: label(), t: ms(1000), s: sum(event.n ?? []), c: crc("x"), s3: typeof S3Client });',
    ].join('\n'),
    'packages/db/package.json': pkg('@acme/db', { dependencies: { debug: '4.4.3' } }),
    'packages/db/index.js': "const debug = require('debug'); exports.label = () => { debug('x'); return 'acme'; };",
    'packages/native-sum/package.json': pkg('native-sum', { gypfile: true }),
    'packages/native-sum/binding.gyp': '{}',
    'packages/native-sum/index.js': "module.exports = require('./build/Release/native_sum.node');",
    'node_modules/.pnpm/ms@2.1.3/node_modules/ms/package.json': pkg('ms'),
    'node_modules/.pnpm/ms@2.1.3/node_modules/ms/index.js': 'module.exports = (n) => `${n}ms`;',
    'node_modules/.pnpm/debug@4.4.3/node_modules/debug/package.json': pkg('debug'),
    'node_modules/.pnpm/debug@4.4.3/node_modules/debug/index.js': 'module.exports = () => () => {};',
    'node_modules/.pnpm/fast-crc@1.0.0/node_modules/fast-crc/package.json': pkg('fast-crc', { version: '1.0.0', optionalDependencies: { 'fast-crc-linux-x64-gnu': '1.0.0' } }),
    'node_modules/.pnpm/fast-crc@1.0.0/node_modules/fast-crc/index.js': "module.exports = require(`fast-crc-${process.platform}-${process.arch}-gnu`);",
  });
  project.link('packages/api/node_modules/@acme/db', '../../../db');
  project.link('packages/api/node_modules/native-sum', '../../native-sum');
  project.link('packages/api/node_modules/ms', '../../../node_modules/.pnpm/ms@2.1.3/node_modules/ms');
  project.link('packages/api/node_modules/fast-crc', '../../../node_modules/.pnpm/fast-crc@1.0.0/node_modules/fast-crc');
  project.link('packages/db/node_modules/debug', '../../../node_modules/.pnpm/debug@4.4.3/node_modules/debug');
});
afterEach(() => project.remove());

const options = () => ({
  cwd: `${project.root}/packages/api`, handler: 'src/index.handler', nodeMajor: 22, sourcemap: true, external: ['@aws-sdk/*'],
  // What a lockfile says about fast-crc: per-platform optional packages.
  lockfileReason: (name: string) => (name === 'fast-crc' ? 'per-platform optional packages (fast-crc-linux-x64-gnu)' : undefined),
});

describe('bundle: esbuild', () => {
  it('bundles the TypeScript handler and keeps exactly the native packages external, saying why', async () => {
    const result = await bundle(options());
    expect(result.files.map((f) => f.path)).toEqual(['src/index.js', 'src/index.js.map']);
    expect(result.externals).toEqual([
      { name: '@aws-sdk/client-s3', reason: 'listed in bundle.external, not a dependency: the runtime provides it', install: false },
      { name: 'fast-crc', version: '1.0.0', reason: 'per-platform optional packages (fast-crc-linux-x64-gnu)', install: true },
      { name: 'native-sum', version: '1.2.3', reason: 'a binding.gyp (node-gyp builds it on install)', install: true },
    ]);
    const code = Buffer.from(result.files[0]!.contents).toString();
    expect(code).toContain('require("native-sum")');
    expect(code).toContain('require("fast-crc")');
    expect(code).not.toContain('require("ms")');
    expect(code).not.toContain('require("@acme/db")');
    expect(code).toContain('acme');
  });

  it('writes the same bytes twice, with no absolute host path in the bundle or its source map', async () => {
    const first = await bundle(options());
    const second = await bundle(options());
    expect(second.files.map((f) => Buffer.from(f.contents).toString('base64'))).toEqual(first.files.map((f) => Buffer.from(f.contents).toString('base64')));
    for (const file of first.files) expect(Buffer.from(file.contents).toString()).not.toContain(project.root);
    const map = JSON.parse(Buffer.from(first.files[1]!.contents).toString()) as { sources: string[]; sourcesContent: string[] };
    expect(map.sources).toEqual(expect.arrayContaining(['index.ts', '../../db/index.js', '../../../node_modules/.pnpm/ms@2.1.3/node_modules/ms/index.js']));
    expect(map.sources.every((s) => !s.startsWith('/'))).toBe(true);
    expect(map.sourcesContent.length).toBe(map.sources.length);
    expect(first.inputs).toEqual(expect.arrayContaining(['src/index.ts', '../db/index.js']));
  });

  it('writes an ES module as .mjs with the banner first', async () => {
    const banner = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";
    const result = await bundle({ ...options(), format: 'esm', banner, sourcemap: false });
    expect(result.files.map((f) => f.path)).toEqual(['src/index.mjs']);
    expect(Buffer.from(result.files[0]!.contents).toString().startsWith(banner)).toBe(true);
  });

  it('names the file and line of an import that is not installed, and the fix', async () => {
    project.file('packages/api/src/index.ts', "import x from 'not-installed';\nexport const handler = () => x;\n");
    const error = await bundle(options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^src\/index\.ts:1: esbuild could not bundle the handler: Could not resolve "not-installed".*install the function's dependencies first/);
  });

  it('refuses a handler whose module does not exist', async () => {
    await expect(bundle({ ...options(), handler: 'src/missing.handler' })).rejects.toThrow(/no src\/missing\{\.ts,/);
  });
});
