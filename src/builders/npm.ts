// The Node builder ("npm" in the config): the project's lockfile decides the package manager
// (npm, pnpm, yarn, bun), which installs production dependencies, frozen, in the target
// container; a workspace function gets only its own closure, from lambda-pack's pruned lockfile;
// `bundle: esbuild` bundles the handler on the host and installs only its native packages.
// For the other architecture npm installs from a container of the engine's architecture (--cpu),
// node-gyp compiling addons with the image's cross compilers; the proof decides.
// The node/ modules hold the logic; this file adapts it to the builder interface.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hashValue } from '../cache/hash.js';
import { cacheRoot } from '../cache/location.js';
import type { ArtifactConfig } from '../config/types.js';
import { walkSource, type SourceEntry } from '../package/sources.js';
import { bundle, type BundleResult } from './node/bundle.js';
import { installsWithNpm, packagesThatBuild, planNodeInstall, type NodeInstallPlan, type NodeProjectFacts } from './node/install-plan.js';
import { lockfileNativeReason } from './node/native-packages.js';
import { declaresPackContents, npmPackFiles } from './node/packlist.js';
import { readNodeProject } from './node/project-files.js';
import { CONTAINER, topLevelFiles, type Analysis, type Builder, type GeneratedInput, type InstallSpec } from './types.js';
import { gnuCrossIn, NODE_GYP_PARALLEL, nodeGypCrossEnv } from './cross.js';
import type { HostFacts } from '../host.js';
import type { PlacedTask } from '../plan/types.js';
import { architecture } from '../runtimes.js';

/**
 * Build leftovers wherever a package's own build put them (objects, static archives), and npm's
 * hidden lockfile. node-gyp's build trees are pruned by what gyp wrote (pruneBuildTrees).
 */
export const NPM_INTERMEDIATES = ['**/*.o', '**/*.a', '**/*.target.mk', '.package-lock.json'];

export interface NpmAnalysis extends Analysis {
  readonly facts: NodeProjectFacts;
  /** A bundle's externals to install (undefined: the whole production closure). */
  readonly only?: readonly { readonly name: string; readonly version?: string }[];
  /** Packages whose install runs a build step (install scripts, node-gyp). */
  readonly mustCompile: readonly string[];
}

/** Project files (relative to the install root) as the entries sent into the container at `path`, with the directories leading to them. */
async function inputEntries(root: string, files: readonly { path: string; from: string }[]): Promise<SourceEntry[]> {
  const entries = new Map<string, SourceEntry>();
  for (const { path: file, from } of files) {
    const parts = file.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!entries.has(dir)) entries.set(dir, { path: dir, kind: 'directory', absolute: path.join(root, dir), executable: true, size: 0 });
    }
    const info = await stat(path.join(root, from));
    entries.set(file, { path: file, kind: 'file', absolute: path.join(root, from), executable: (info.mode & 0o111) !== 0, size: info.size });
  }
  return [...entries.values()].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

/** Writes the bundle's files once, content-addressed under the cache, and lists them as entries to ship. */
async function bundleEntries(result: BundleResult, host: HostFacts): Promise<SourceEntry[]> {
  const dir = path.join(cacheRoot(host), 'bundles', hashValue(result.files.map((f) => [f.path, Buffer.from(f.contents).toString('base64')])));
  for (const file of result.files) {
    await mkdir(path.dirname(path.join(dir, file.path)), { recursive: true });
    await writeFile(path.join(dir, file.path), file.contents);
  }
  return walkSource(dir, { artifact: 'bundle', produced: true });
}

/** With a "files" list or an .npmignore, what ships of the source is what `npm pack` would pack (then `exclude`). */
async function packedSource(artifact: ArtifactConfig, facts: NodeProjectFacts, entries: readonly SourceEntry[]): Promise<SourceEntry[] | undefined> {
  if (artifact.manifest || !declaresPackContents(facts.manifest, topLevelFiles(entries))) return undefined;
  const packed = new Set(await npmPackFiles(artifact.source, facts.manifest));
  const dirs = new Set([...packed].flatMap((f) => f.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  return entries.filter((e) => (e.kind === 'directory' ? dirs.has(e.path) : packed.has(e.path)));
}

/**
 * node-gyp's environment for the task: parallel compiles always; for a cross install that
 * compiles, the target's architecture and compilers too. Variables the config's `env` sets keep
 * its value (the install's environment would otherwise win over it).
 */
function compileEnv(analysis: NpmAnalysis, task: PlacedTask, cross: boolean): Record<string, string> {
  const env = cross && analysis.mustCompile.length > 0 ? nodeGypCrossEnv(task.arch) : NODE_GYP_PARALLEL;
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, task.artifact.env[name] ?? value]));
}

function planFor(analysis: NpmAnalysis, arch: ReturnType<typeof architecture>, cross = false): NodeInstallPlan {
  return planNodeInstall(analysis.facts, { arch, cross, ...(analysis.only ? { only: analysis.only } : {}) });
}

export const npmBuilder: Builder<NpmAnalysis, InstallSpec | null> = {
  name: 'npm',
  version: 6,
  needsContainer: true,
  markers: ['package.json'],
  families: ['nodejs'],

  async analyze(artifact, entries, host) {
    const facts = await readNodeProject({
      name: artifact.name, projectRoot: artifact.root, source: artifact.source, ...(artifact.manifest ? { manifestDir: path.dirname(artifact.manifest) } : {}),
    });
    let bundled: BundleResult | undefined;
    if (artifact.bundle && artifact.kind === 'function') {
      const { lockfile } = facts;
      const byVersion = lockfile && new Map([...lockfile.nodes.values()].map((n) => [`${n.name}@${n.version}`, n]));
      bundled = await bundle({
        cwd: artifact.source, handler: artifact.handler!, nodeMajor: artifact.runtime.nodeMajor ?? 22,
        minify: artifact.bundle.minify, sourcemap: artifact.bundle.sourcemap, format: artifact.bundle.format, external: artifact.bundle.external,
        ...(artifact.bundle.target ? { target: artifact.bundle.target } : {}), ...(artifact.bundle.banner !== undefined ? { banner: artifact.bundle.banner } : {}),
        ...(lockfile && byVersion ? { lockfileReason: (name: string, version: string) => { const node = byVersion.get(`${name}@${version}`); return node && lockfileNativeReason(lockfile, node); } } : {}),
      });
    }
    const only = bundled?.externals.filter((e) => e.install).map((e) => ({ name: e.name, ...(e.version ? { version: e.version } : {}) }));
    const base = { facts, ...(only ? { only } : {}), mustCompile: [] as string[] };
    // The inputs do not depend on the architecture: plan once to list them.
    const plan = planFor({ ...base, installInputs: [], installOnly: [], shipsSource: false, sourcePath: '' }, architecture('x86_64'));
    const fromProject = plan.inputs.flatMap((i) => ('from' in i ? [{ path: i.path, from: i.from }] : []));
    const generated: GeneratedInput[] = plan.inputs.flatMap((i) => ('content' in i ? [{ path: i.path, content: i.content, ...(i.sensitive ? { sensitive: true } : {}) }] : []));
    const layer = artifact.kind === 'layer';
    const shipped = bundled ? await bundleEntries(bundled, host) : await packedSource(artifact, facts, entries);
    return {
      ...base,
      installInputs: await inputEntries(facts.installPath, fromProject),
      ...(generated.length ? { generatedInputs: generated } : {}),
      // The install's configuration files in the source never ship (tokens).
      installOnly: [...facts.config.keys()].flatMap((file) => facts.member === '.' ? [file] : file.startsWith(`${facts.member}/`) ? [file.slice(facts.member.length + 1)] : []),
      // A layer ships its node_modules only: Lambda looks nowhere else under nodejs/.
      shipsSource: !layer,
      sourcePath: '',
      ...(shipped ? { shippedEntries: shipped } : {}),
      mustCompile: plan.mode === 'none' ? [] : packagesThatBuild(facts, base),
      details: {
        install: { mode: plan.mode, reason: plan.reason },
        ...(facts.manager ? { packageManager: { name: facts.manager.manager, version: facts.manager.version ?? 'the build image\'s', source: facts.manager.source, reason: facts.manager.reason } } : {}),
        ...(bundled ? { bundle: { tool: 'esbuild', esbuild: bundled.esbuildVersion, files: bundled.files.map((f) => f.path), externals: bundled.externals } } : {}),
        ...(!bundled && shipped ? { source: 'what npm pack would pack ("files" / .npmignore), then exclude' } : {}),
      },
    };
  },

  strategyFacts(analysis, task) {
    if (!installsWithNpm(analysis.facts, analysis)) {
      return { mustCompile: analysis.mustCompile, noCross: `${analysis.facts.manager?.manager ?? 'the package manager'} installs for the machine it runs on` };
    }
    const env = nodeGypCrossEnv(task.arch);
    return {
      mustCompile: analysis.mustCompile,
      cross: `no package compiles during install: ${task.engine.arch.name} npm installs the ${task.arch.name} binaries (--cpu ${task.arch.nodeArch})`,
      // What compiles, node-gyp (directly or through node-pre-gyp / prebuild-install) builds for
      // npm_config_arch; an install script that ignores it is caught by the proof.
      ...(gnuCrossIn(task) ? { compileCross: `node-gyp builds with ${env.CXX}, npm_config_arch=${env.npm_config_arch}` } : {}),
    };
  },

  install(analysis, task, strategy) {
    const cross = strategy.kind === 'cross';
    const plan = planFor(analysis, task.arch, cross);
    if (plan.mode === 'none') return null;
    const compiles = cross && analysis.mustCompile.length > 0;
    const cxx = nodeGypCrossEnv(task.arch).CXX;
    return {
      steps: [
        ...(compiles ? [{
          require: `command -v ${cxx} >/dev/null`,
          message: `lambda-pack: this image has no ${cxx}, so node-gyp cannot compile "${task.artifact.name}"'s addons for ${task.arch.name} here. Rebuild the image from its recipe in images/, or build with --strategy emulated.`,
        }] : []),
        ...plan.steps.map((step) => ({ run: step.argv })),
      ],
      output: path.posix.join(CONTAINER.build, plan.output),
      packagePath: task.artifact.kind === 'layer' ? 'nodejs/node_modules' : 'node_modules',
      env: { ...compileEnv(analysis, task, cross), ...plan.env },
      compilerFlags: true,
      drop: plan.mode === 'project' && plan.manager?.lockfile === 'npm' ? NPM_INTERMEDIATES : [...new Set([...NPM_INTERMEDIATES, ...plan.drop])],
      pruneBuildTrees: true,
    };
  },
};
