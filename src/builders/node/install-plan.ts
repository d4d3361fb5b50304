// What a Node function's dependency install is, as data: the inputs sent into the container, the
// argv of each step, the environment, where node_modules appears, what never ships, and the cache
// key material. Pure: readNodeProject (project-files.ts) gathers what it needs from disk.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ConfigError } from '../../errors.js';
import { CONTAINER } from '../types.js';
import type { Architecture } from '../../runtimes.js';
import { checkImporterInSync, closureKeyMaterial, productionClosure } from './closure.js';
import { CONTAINER_SCRIPTS_DIR, PM_RUNNER, PRUNE_PLATFORM, SCRIPTS_INPUT_DIR } from './container-scripts.js';
import type { Lockfile } from './lockfile-model.js';
import type { ManagerChoice } from './manager.js';
import { hasProductionDependencies, type PackageManifest } from './manifest.js';
import { prunedNpmProject } from './pruned-project.js';
import { yarnrcToNpmrc } from './yarnrc.js';

/** A file the install needs, placed at `path` under the container's build directory. */
export type ContainerInput =
  | { readonly path: string; /** A project file, relative to the install root. */ readonly from: string }
  /** Written by lambda-pack; `sensitive` when it may hold registry credentials (never shown in plan output). */
  | { readonly path: string; readonly content: string; readonly sensitive?: boolean };

export interface InstallStep {
  /** What the step does, for progress and failures. */
  readonly label: string;
  readonly argv: readonly string[];
}

export interface NodeInstallPlan {
  /**
   * none: nothing to install (no production dependencies); project: the project's own manager
   * runs a frozen install of its lockfile; pruned: npm ci of lambda-pack's pruned lockfile
   * (a workspace function's closure, or a bundle's externals).
   */
  readonly mode: 'none' | 'project' | 'pruned';
  readonly reason: string;
  readonly manager?: ManagerChoice;
  readonly inputs: readonly ContainerInput[];
  /** Where the steps run, relative to the container's build directory. */
  readonly workdir: string;
  readonly steps: readonly InstallStep[];
  readonly env: Readonly<Record<string, string>>;
  /** The directory copied out (relative to the build directory): it ships as the zip's node_modules. */
  readonly output: string;
  /** Globs (relative to `output`) that never ship: managers' state files and node-gyp leftovers. */
  readonly drop: readonly string[];
  /** Project files (relative to the install root) the install reads that never ship. */
  readonly installOnly: readonly string[];
  /** Hash it into the dependency key with the bytes of every `from` input; it holds no secrets. */
  readonly keyMaterial: string;
}

export interface NodeProjectFacts {
  /** The function's name, for messages. */
  readonly name: string;
  /** The install root relative to the project root ('' = the root). */
  readonly installDir: string;
  /** The install root as an absolute path, for messages. */
  readonly installPath: string;
  /** The function's directory relative to the install root ('.' for a single project). */
  readonly member: string;
  readonly manifest: PackageManifest;
  readonly manifestFile: string;
  readonly lockfile?: Lockfile;
  readonly lockfileName?: string;
  readonly manager?: ManagerChoice;
  /** Install configuration files present, relative to the install root → their text. */
  readonly config: ReadonlyMap<string, string>;
  /** Other project files the manager reads (checked-in yarn releases, plugins, patches), relative to the install root. */
  readonly managerFiles: readonly string[];
  /** Files of local packages (workspace members, file: targets), relative to the install root. */
  readonly localFiles: ReadonlyMap<string, readonly string[]>;
  /** Local packages that build on install (a binding.gyp, install scripts), by name. */
  readonly localBuilds: readonly string[];
  /**
   * Where the install root sits in the container's build directory ('' = at it): below it when a
   * local package lies beside it ("file:../shared" puts fn/ and shared/ in the build directory).
   */
  readonly offset: string;
}

export interface InstallTarget {
  readonly arch: Architecture;
  /** npm installs the target's binaries from a container of another architecture (--cpu/--os/--libc). */
  readonly cross?: boolean;
  /** A bundle's externals: install only these packages (and what they depend on). */
  readonly only?: readonly { readonly name: string; readonly version?: string }[];
}

/** Files that configure an install (registries, tokens, manager settings): read, never shipped. */
export const INSTALL_CONFIG_FILES = ['.npmrc', '.yarnrc', '.yarnrc.yml', 'pnpm-workspace.yaml', '.pnpmfile.cjs', 'bunfig.toml'];

/** What managers leave in node_modules for themselves (node-gyp's build trees are pruned by what gyp wrote). */
export const NODE_MODULES_DROP = [
  '.package-lock.json', '.modules.yaml', '.pnpm/**', '.pnpm', '.pnpm-workspace-state*.json', '.yarn-integrity', '.yarn-state.yml', '.cache/**',
  '**/*.o', '**/*.a', '**/*.target.mk',
];
const NPM_CI = ['ci', '--omit=dev', '--no-audit', '--no-fund', '--foreground-scripts', '--loglevel=warn'];

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const join = (...parts: string[]) => path.posix.join(...parts.filter((p) => p && p !== '.')) || '.';

function runner(choice: ManagerChoice, args: readonly string[], workdir: string): string[] {
  const spec = {
    kind: choice.lockfile,
    package: choice.registryPackage ?? choice.manager,
    version: choice.version,
    bin: choice.manager === 'yarn' ? 'yarn' : choice.manager,
    ...(choice.hash ? { hash: { ...choice.hash, of: choice.lockfile === 'yarn-berry' ? 'bin/yarn.js' : 'tarball' } } : {}),
    ...(choice.yarnPath ? { yarnPath: `${CONTAINER.build}/${join(workdir, choice.yarnPath)}` } : {}),
    ...(workdir !== '.' ? { cwd: workdir } : {}),
  };
  return ['node', `${CONTAINER_SCRIPTS_DIR}/pm.mjs`, JSON.stringify(spec), ...args];
}

/** The frozen, production-only install each manager runs on its own lockfile. */
function projectInstallArgs(choice: ManagerChoice): string[] {
  switch (choice.lockfile) {
    case 'npm': return NPM_CI;
    // Hoisted: real directories, as npm lays them out (pnpm's default links into node_modules/.pnpm).
    case 'pnpm': return ['install', '--frozen-lockfile', '--prod', '--config.node-linker=hoisted', '--config.strict-dep-builds=true',
      '--config.side-effects-cache=false', '--config.manage-package-manager-versions=false', '--config.confirm-modules-purge=false', '--reporter=append-only'];
    case 'yarn-classic': return ['install', '--frozen-lockfile', '--production', '--non-interactive', '--no-progress'];
    case 'yarn-berry': return ['workspaces', 'focus', '--production'];
    case 'bun': return ['install', '--frozen-lockfile', '--production', '--no-progress'];
  }
}

function managerEnv(choice: ManagerChoice): Record<string, string> {
  if (choice.lockfile !== 'yarn-berry') return {};
  return { YARN_ENABLE_IMMUTABLE_INSTALLS: 'true', YARN_ENABLE_TELEMETRY: 'false', YARN_ENABLE_PROGRESS_BARS: 'false', YARN_ENABLE_INLINE_BUILDS: 'true' };
}

function checkLinker(facts: NodeProjectFacts): void {
  if (facts.lockfile?.kind !== 'yarn-berry') return;
  const yarnrc = facts.config.get('.yarnrc.yml') ?? '';
  const linker = /^nodeLinker:\s*["']?([\w-]+)/m.exec(yarnrc)?.[1];
  if (linker !== 'node-modules') {
    const file = path.join(facts.installPath, '.yarnrc.yml');
    throw new ConfigError('YARN_PNP_UNSUPPORTED',
      `${file}: ${linker ? `nodeLinker: ${linker}` : 'no nodeLinker, so yarn uses Plug\'n\'Play,'} installs no node_modules, and Lambda cannot load packages from Plug'n'Play's zip archives. ` +
      `Add "nodeLinker: node-modules" to ${file}, run yarn install, and commit the updated lockfile.`,
      { file, field: 'nodeLinker', fix: 'nodeLinker: node-modules' });
  }
}

export function planNodeInstall(facts: NodeProjectFacts, target: InstallTarget): NodeInstallPlan {
  const dropNothing = { inputs: [], steps: [], env: {}, drop: NODE_MODULES_DROP, installOnly: INSTALL_CONFIG_FILES };
  const wanted = target.only ? target.only.length > 0 : hasProductionDependencies(facts.manifest);
  if (!wanted) {
    return { mode: 'none', reason: target.only ? 'the bundle has no external packages' : `${facts.manifestFile} has no dependencies to install`,
      workdir: facts.member, output: join(facts.member, 'node_modules'), keyMaterial: 'none', ...dropNothing };
  }
  const { lockfile, manager } = facts;
  if (!lockfile || !manager) {
    throw new ConfigError('LOCKFILE_MISSING',
      `Function "${facts.name}": ${facts.installPath} has package.json with dependencies but no lockfile (package-lock.json, pnpm-lock.yaml, yarn.lock or bun.lock), ` +
      `beside it or in a workspace root above it. ` +
      `lambda-pack installs exactly what a lockfile pins; there is something to lock here. Create one with your package manager ` +
      `(npm install --package-lock-only, pnpm install --lockfile-only, yarn install, or bun install --lockfile-only).`,
      { file: facts.manifestFile, fix: 'npm install --package-lock-only' });
  }
  checkLinker(facts);
  const configHashes = [...facts.config].map(([file, text]) => [file, sha256(text)]).sort();
  const scripts: ContainerInput[] = [
    { path: `${SCRIPTS_INPUT_DIR}/pm.mjs`, content: PM_RUNNER },
    { path: `${SCRIPTS_INPUT_DIR}/prune-platform.mjs`, content: PRUNE_PLATFORM },
  ];
  const pruneStep = (output: string): InstallStep => ({
    label: 'leave out optional packages built for another platform (yarn 1 records no os/cpu/libc)',
    argv: ['node', `${CONTAINER_SCRIPTS_DIR}/prune-platform.mjs`, output, 'linux', target.arch.nodeArch, 'glibc'],
  });
  // Paths in the build directory: the install root sits at `offset` there.
  const at = (p: string) => path.posix.normalize(join(facts.offset, p));
  const localInputs = (paths: readonly string[]): ContainerInput[] =>
    paths.flatMap((dir) => (facts.localFiles.get(dir) ?? []).map((file) => ({ path: at(file), from: file })));

  const crossFlags = target.cross ? [`--cpu=${target.arch.nodeArch}`, '--os=linux', '--libc=glibc'] : [];
  if (facts.member === '.' && !target.only) {
    const closure = productionClosure(lockfile, '.', { strict: false });
    checkLinkedLocals(facts, lockfile, closure.ids);
    const inputs: ContainerInput[] = [
      { path: at('package.json'), from: 'package.json' },
      { path: at(facts.lockfileName!), from: facts.lockfileName! },
      ...[...facts.config.keys()].map((file) => ({ path: at(file), from: file })),
      ...facts.managerFiles.map((file) => ({ path: at(file), from: file })),
      // Every local package read on the host: the lockfile's and those package.json names.
      ...localInputs([...facts.localFiles.keys()]),
      ...(manager.source === 'image' ? [] : scripts),
    ];
    const workdir = at('.');
    const prefix = workdir === '.' ? [] : [`--prefix=${workdir}`];
    const install = manager.source === 'image' ? ['npm', ...NPM_CI, ...crossFlags, ...prefix]
      : runner(manager, [...projectInstallArgs(manager), ...(manager.lockfile === 'npm' ? crossFlags : [])], workdir);
    return {
      mode: 'project', reason: manager.reason, manager, inputs, workdir, output: at('node_modules'),
      steps: [
        { label: `${manager.manager} install (frozen lockfile, production dependencies)`, argv: install },
        ...(lockfile.kind === 'yarn-classic' ? [pruneStep(at('node_modules'))] : []),
      ],
      env: managerEnv(manager), drop: NODE_MODULES_DROP, installOnly: [...INSTALL_CONFIG_FILES, ...facts.managerFiles],
      keyMaterial: JSON.stringify({ mode: 'project', manager: { name: manager.manager, version: manager.version ?? 'image', hash: manager.hash?.hex }, config: configHashes, lockfile: sha256(closureKeyMaterial(lockfile, closure)), local: closure.localPaths }),
    };
  }

  // A workspace function, or a bundle's externals: lambda-pack's pruned lockfile, installed by npm.
  if (!target.only) checkImporterInSync(lockfile, facts.member, { ...facts.manifest.dependencies, ...facts.manifest.optionalDependencies }, facts.manifestFile);
  const pruned = prunedNpmProject(lockfile, {
    importer: facts.member, ...(target.only ? { only: target.only, name: `${facts.manifest.name ?? 'function'}-externals`, version: facts.manifest.version ?? '0.0.0' } : {}),
  });
  const workdir = at(facts.member);
  const npmrc = [facts.config.get('.npmrc'), facts.config.has('.yarnrc.yml') ? yarnrcToNpmrc(facts.config.get('.yarnrc.yml')!) : undefined].filter((t): t is string => !!t).join('\n');
  const memberNpmrc = facts.member !== '.' ? facts.config.get(join(facts.member, '.npmrc')) : undefined;
  const inputs: ContainerInput[] = [
    { path: join(workdir, 'package.json'), content: pruned.manifest },
    { path: join(workdir, 'package-lock.json'), content: pruned.lockfile },
    // The root's .npmrc travels as the file it is; a .yarnrc.yml's registries are translated.
    ...(facts.config.has('.npmrc') && !facts.config.has('.yarnrc.yml') ? [{ path: '.lambda-pack-npmrc', from: '.npmrc' }]
      : npmrc ? [{ path: '.lambda-pack-npmrc', content: npmrc, sensitive: true }] : []),
    ...(memberNpmrc !== undefined ? [{ path: join(workdir, '.npmrc'), from: join(facts.member, '.npmrc') }] : []),
    ...localInputs(pruned.localPaths),
    ...(lockfile.kind === 'yarn-classic' ? scripts : []),
  ];
  return {
    mode: 'pruned',
    reason: target.only
      ? `only the bundle's external packages (${target.only.map((p) => p.name).join(', ')}), from ${lockfile.file}, installed by npm from lambda-pack's pruned lockfile`
      : `workspace package ${facts.member} of ${facts.installDir || '.'}: its production closure from ${lockfile.file}, installed by npm from lambda-pack's pruned lockfile (workspace packages as real copies)`,
    manager, inputs, workdir, output: join(workdir, 'node_modules'),
    steps: [
      // install-links: file: packages (workspace members) are installed as packed copies, built in place.
      { label: 'npm ci of the pruned lockfile (production closure only)', argv: ['npm', ...NPM_CI, '--install-links', ...crossFlags, ...(workdir === '.' ? [] : [`--prefix=${workdir}`])] },
      ...(lockfile.kind === 'yarn-classic' ? [pruneStep(join(workdir, 'node_modules'))] : []),
    ],
    // The workspace root's registry settings and tokens (.npmrc, or .yarnrc.yml translated) as npm's user config.
    env: npmrc ? { npm_config_userconfig: `${CONTAINER.build}/.lambda-pack-npmrc` } : {},
    drop: NODE_MODULES_DROP, installOnly: INSTALL_CONFIG_FILES,
    keyMaterial: JSON.stringify({ mode: 'pruned', manifest: sha256(pruned.manifest), lockfile: sha256(pruned.lockfile), npmrc: npmrc ? sha256(npmrc) : undefined, local: pruned.localPaths }),
  };
}

/** Whether the plan's install is npm's, which can install another architecture's binaries (--cpu). */
export function installsWithNpm(facts: NodeProjectFacts, target: Pick<InstallTarget, 'only'>): boolean {
  return facts.member !== '.' || !!target.only || facts.manager?.lockfile === 'npm';
}

/**
 * Packages whose install runs a build step, so need the target's CPU: install scripts the
 * lockfile records, local packages that build, and, when the lockfile does not record install
 * scripts (pnpm 9, yarn), every package it pins, said once.
 */
export function packagesThatBuild(facts: NodeProjectFacts, target: Pick<InstallTarget, 'only'>): string[] {
  const { lockfile } = facts;
  if (!lockfile) return [];
  const ids = target.only
    ? prunedNpmProject(lockfile, { importer: facts.member, only: target.only }).layout
    : new Map(productionClosure(lockfile, facts.member, { strict: false }).ids.map((id) => [id, id]));
  const names = new Set<string>(facts.localBuilds);
  let unknown = false;
  for (const spec of ids.values()) {
    const node = lockfile.nodes.get(spec) ?? [...lockfile.nodes.values()].find((n) => `${n.name}@${n.version}` === spec);
    if (!node || node.localPath !== undefined) continue;
    if (node.installScript === true) names.add(node.name);
    if (node.installScript === undefined) unknown = true;
  }
  return [...names].sort().concat(unknown ? [`packages of ${path.basename(lockfile.file)} that may run install scripts (the lockfile does not record them)`] : []);
}


/**
 * npm links a file: directory (its lockfile says `"link": true`) without installing what that
 * directory depends on, so the zip would hold a package that cannot load: refused, with the
 * setting that installs it as a copy with its dependencies.
 */
function checkLinkedLocals(facts: NodeProjectFacts, lockfile: Lockfile, reached: readonly string[]): void {
  if (lockfile.kind !== 'npm') return;
  const ids = new Set(reached);
  const unpinned = lockfile.missing.filter((m) => ids.has(m.from) && m.from !== '' && lockfile.nodes.get(m.from)?.localPath !== undefined && m.type !== 'dev');
  if (!unpinned.length) return;
  const dir = unpinned[0]!.from;
  const npmrc = path.join(facts.installPath, '.npmrc');
  throw new ConfigError('LOCAL_PACKAGE_LINKED',
    `${lockfile.file} links ${dir} (a file: dependency) instead of installing it, and pins none of its dependencies (${[...new Set(unpinned.filter((m) => m.from === dir).map((m) => m.name))].join(', ')}): ` +
    `npm would ship a link to a package that cannot load. Install local packages as copies with their dependencies: add install-links=true to ${npmrc}, then run: npm install --install-links --package-lock-only`,
    { file: lockfile.file, fix: 'install-links=true in .npmrc, then npm install --install-links --package-lock-only' });
}
