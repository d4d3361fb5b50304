// `bundle: esbuild`: the handler (TypeScript or JavaScript) bundled into one file on the host,
// once per function (esbuild's output does not depend on the architecture). Native packages are
// found as esbuild resolves them and kept external, to be installed for each target; everything
// else is bundled. Same inputs, same bytes: paths in the bundle and its source map are relative.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build, version as esbuildVersion, type Message, type Plugin } from 'esbuild';
import { ConfigError } from '../../errors.js';
import { manifestNativeReason, packageFiles, type NativeReason } from './native-packages.js';
import { parseManifest } from './manifest.js';

export interface BundleOptions {
  /** The function's directory (absolute): the handler and every path in the output are relative to it. */
  readonly cwd: string;
  /** Lambda's handler string, e.g. "src/index.handler" (its module: src/index.ts, .mts, .js…). */
  readonly handler: string;
  /** Node major of the runtime: the default target (node22). */
  readonly nodeMajor: number;
  readonly minify?: boolean;
  readonly sourcemap?: boolean;
  /** esbuild target, default `node<nodeMajor>`. */
  readonly target?: string;
  readonly format?: 'cjs' | 'esm';
  /** Packages never bundled; installed when they are dependencies, else left to the runtime (@aws-sdk/*). */
  readonly external?: readonly string[];
  /** Text put first in the bundle (an ESM `require` shim: import { createRequire } from 'node:module'; …). */
  readonly banner?: string;
  /** What the lockfile knows about a package (per-platform optional packages, install scripts), by name@version. */
  readonly lockfileReason?: (name: string, version: string) => NativeReason;
}

export interface BundleExternal {
  readonly name: string;
  /** The version installed on this machine, which the bundle was built against. */
  readonly version?: string;
  readonly reason: string;
  /** Whether it is installed into the zip's node_modules (false: the runtime provides it). */
  readonly install: boolean;
}

export interface BundleResult {
  /** Files to ship, relative to the zip root (the handler's module, its source map). */
  readonly files: readonly { readonly path: string; readonly contents: Uint8Array }[];
  readonly externals: readonly BundleExternal[];
  /** Every file esbuild read, relative to `cwd` ('/'-separated, sorted): the bundle's cache key inputs. */
  readonly inputs: readonly string[];
  readonly esbuildVersion: string;
}

const EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '.jsx'];

/** The handler's module file: "src/index.handler" → src/index.ts (the first of EXTENSIONS that exists). */
export function handlerEntry(cwd: string, handler: string): { module: string; entry: string } {
  const dot = handler.lastIndexOf('.');
  const module = dot > 0 ? handler.slice(0, dot) : handler;
  const entry = EXTENSIONS.map((ext) => `${module}${ext}`).find((file) => existsSync(path.join(cwd, file)));
  if (!entry) {
    throw new ConfigError('HANDLER_SOURCE_MISSING',
      `handler "${handler}": no ${module}{${EXTENSIONS.join(',')}} in ${cwd} to bundle. Point "handler" at the source module and its export (src/index.handler for src/index.ts).`,
      { field: 'handler' });
  }
  return { module, entry };
}

function packageName(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function matchesExternal(patterns: readonly string[], name: string): boolean {
  return patterns.some((p) => (p.endsWith('/*') ? name.startsWith(p.slice(0, -1)) : p === name));
}

/**
 * The package directory holding a resolved file: the nearest package.json above it named `name`
 * (a workspace package resolves through its symlink to its own directory, outside node_modules).
 */
function packageDir(file: string, name: string): string | undefined {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    try {
      if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === name) return dir;
    } catch { /* not a package manifest: keep looking */ }
  }
  return undefined;
}

function where(message: Message, cwd: string): string {
  const loc = message.location;
  return loc ? `${path.relative(cwd, path.resolve(cwd, loc.file)).split(path.sep).join('/')}:${loc.line}: ` : '';
}

export async function bundle(options: BundleOptions): Promise<BundleResult> {
  const { cwd } = options;
  const { module, entry } = handlerEntry(cwd, options.handler);
  const format = options.format ?? 'cjs';
  const outfile = `${module}${format === 'esm' ? '.mjs' : '.js'}`;
  const externals = new Map<string, BundleExternal>();
  const judged = new Map<string, NativeReason>();

  const findNative: Plugin = {
    name: 'lambda-pack-native-packages',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        const name = packageName(args.path);
        if (!name || args.pluginData === 'lambda-pack') return undefined;
        if (matchesExternal(options.external ?? [], name)) {
          if (!externals.has(name)) externals.set(name, { name, reason: 'listed in bundle.external', install: true });
          return { path: args.path, external: true };
        }
        const resolved = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: 'lambda-pack' });
        if (resolved.errors.length || !resolved.path) return undefined;
        const dir = packageDir(resolved.path, name);
        if (!dir) return undefined;
        if (!judged.has(dir)) {
          const manifest = parseManifest(path.join(dir, 'package.json'), await readFile(path.join(dir, 'package.json'), 'utf8'));
          const reason = options.lockfileReason?.(name, manifest.version ?? '') ?? manifestNativeReason(manifest, await packageFiles(dir));
          judged.set(dir, reason);
          if (reason) {
            const seen = externals.get(name);
            if (seen?.version !== undefined && seen.version !== manifest.version) {
              throw new ConfigError('BUNDLE_NATIVE_CONFLICT',
                `the bundle imports two versions of the native package ${name} (${seen.version} and ${manifest.version}); one node_modules/${name} can hold only one. Make the project depend on a single version of it.`,
                { field: name });
            }
            externals.set(name, { name, ...(manifest.version ? { version: manifest.version } : {}), reason, install: true });
          }
        }
        return judged.get(dir) ? { path: args.path, external: true } : undefined;
      });
    },
  };

  const result = await build({
    absWorkingDir: cwd,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format,
    target: options.target ?? `node${options.nodeMajor}`,
    minify: options.minify ?? false,
    sourcemap: options.sourcemap ? 'external' : false,
    sourcesContent: true,
    ...(options.banner ? { banner: { js: options.banner } } : {}),
    // Node's built-ins stay requires; everything else is bundled unless the plugin keeps it out.
    external: ['node:*'],
    plugins: [findNative],
    metafile: true,
    write: false,
    logLevel: 'silent',
    legalComments: 'eof',
    charset: 'utf8',
  }).catch((error: { errors?: Message[] }) => {
    const first = error.errors?.[0];
    if (!first) throw error;
    const unresolved = /Could not resolve "([^"]+)"/.exec(first.text)?.[1];
    throw new ConfigError('BUNDLE_FAILED',
      `${where(first, cwd)}esbuild could not bundle the handler: ${first.text}.` +
      (unresolved ? ` Bundling runs on this machine, against the packages installed here: install the function's dependencies first (npm ci, pnpm install, yarn install or bun install), or list "${unresolved}" in bundle.external.` : ''),
      { field: 'bundle' }, { cause: error });
  });

  // Externals the user listed that are not dependencies are the runtime's to provide.
  const dependencies = await readFile(path.join(cwd, 'package.json'), 'utf8').then((t) => parseManifest('package.json', t), () => undefined);
  for (const [name, external] of externals) {
    if (external.reason === 'listed in bundle.external' && dependencies && !(name in dependencies.dependencies) && !(name in dependencies.optionalDependencies)) {
      externals.set(name, { ...external, reason: 'listed in bundle.external, not a dependency: the runtime provides it', install: false });
    }
  }
  const imported = new Set(Object.values(result.metafile!.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => packageName(i.path))));
  const files = result.outputFiles!.map((file) => ({ path: path.relative(cwd, file.path).split(path.sep).join('/'), contents: file.contents }));
  return {
    files: files.sort((a, b) => (a.path < b.path ? -1 : 1)),
    externals: [...externals.values()].filter((e) => imported.has(e.name)).sort((a, b) => (a.name < b.name ? -1 : 1)),
    inputs: Object.keys(result.metafile!.inputs).map((p) => p.split(path.sep).join('/')).sort(),
    esbuildVersion,
  };
}
