// pip: installs a uv.lock / poetry.lock / Pipfile.lock (exactly what it pins for the task's
// runtime, architecture, groups and extras, hash-checked, from the indexes it names), a
// requirements.txt or a PEP 621 project, with the runtime's own interpreter in the
// target-architecture container — or, when everything is a wheel for the target, from a container
// of the engine's architecture with --platform, cross-compiling with setuptools what must compile
// (sdists, local C extensions) where the image has the cross toolchain. Every sdist compiles at a
// fixed path (the wheel builder), so cold builds are byte-identical. Ships site-packages without
// bytecode.
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import type { SourceEntry } from '../package/sources.js';
import type { InstallStep, PlacedTask } from '../plan/types.js';
import { CONTAINER, topLevelFiles, type Analysis, type Builder } from './types.js';
import { gnuTriple, pythonCrossEnv } from './cross.js';
import { pipPrebuilds, pipStrategyFacts, readPipSourceFacts, type PipSourceFacts } from './pip-cross.js';
import { readRequirements, wheelhouseDirs } from './pip-requirements.js';
import { crossInstallOptions } from './pip-tags.js';
import { requirementsBuildSources, requirementsInstall, type CrossCompile } from './python/install-steps.js';
import { localProjectDirs, pythonLayout, requirementsInputs } from './python/layout.js';
import { lockedPlan } from './python/locked-install.js';
import { lockedSet } from './python/locked-set.js';
import { lockedStrategyFacts } from './python/locked-strategy.js';
import { findLockfile, LOCK_MANIFESTS, readLockfile } from './python/lockfile.js';
import type { LockGraph } from './python/lock-types.js';
import { markerEnvironment } from './python/markers.js';
import { planSteps } from './python/plan-steps.js';

/**
 * Bytecode (compiled on Lambda as needed), console scripts (bin/, whose shebangs name the build
 * image's interpreter) and direct_url.json (pip's note of where a local project was installed
 * from: the container's path).
 */
const JUNK = ['**/__pycache__/**', '**/__pycache__', '**/*.pyc', '**/*.pyo', 'bin/**', 'bin', '*.dist-info/direct_url.json'];

export interface PipAnalysis extends Analysis {
  readonly facts: PipSourceFacts;
  /** The function's own pip.conf configures the install. */
  readonly pipConf: boolean;
  /** The lockfile, read once, when the source has one. */
  readonly lock?: LockGraph;
  /** Where the installed packages land in the zip: '' for a function, python/ for a layer. */
  readonly packagePath: string;
}

/** What a failed cross install most likely means: the image's own pip settings offered other files. */
function crossFailure(task: PlacedTask, wheelhouses: readonly string[]): string {
  return `lambda-pack: pip found no ${task.arch.gnuArch} wheel for a requirement, though the plan found every one in ${wheelhouses.map((d) => `${d}/`).join(', ') || 'the function'}. ` +
    `If the image's own pip settings (PIP_FIND_LINKS, /etc/pip.conf) change where packages come from, build ${task.id} with --strategy emulated.`;
}

/** A locked install reads the local paths its packages come from, or all of the source when it builds the project; never the lockfile (its content keys through the steps). */
function lockedInputs(entries: readonly SourceEntry[], lock: LockGraph): readonly SourceEntry[] {
  if (lock.project) return entries.filter((e) => !LOCK_MANIFESTS.includes(e.path));
  const local = lock.packages.flatMap((p) => (p.source.kind === 'directory' || p.source.kind === 'archive' || p.source.kind === 'wheelhouse' ? [p.source.path] : []));
  return entries.filter((e) => local.some((l) => e.path === l || e.path.startsWith(`${l}/`) || (e.kind === 'directory' && l.startsWith(`${e.path}/`))) || e.path === 'pip.conf');
}

/** The cross compile of a task whose strategy is cross and whose install compiles; the config's own env keeps its values. */
function crossCompile(analysis: PipAnalysis, task: PlacedTask): CrossCompile {
  const env = Object.fromEntries(Object.entries(pythonCrossEnv(task.arch)).map(([k, v]) => [k, task.artifact.env[k] ?? v]));
  return { env, prebuild: analysis.lock ? [] : pipPrebuilds(analysis.facts, task).map((file) => `${CONTAINER.build}/${file}`) };
}

/** Stops a cross compile in an image without the target's compiler or sysconfig data (a stale or foreign image). */
function crossCompilerStep(python: string, task: PlacedTask): InstallStep {
  const env = pythonCrossEnv(task.arch);
  const check = `import importlib.util; raise SystemExit(importlib.util.find_spec(${JSON.stringify(env._PYTHON_SYSCONFIGDATA_NAME)}) is None)`;
  return {
    require: `command -v ${env.CC} >/dev/null && command -v ${env.CXX} >/dev/null && ${python} -c '${check}'`,
    message: `lambda-pack: this image has no ${gnuTriple(task.arch)} cross compiler or no ${python} sysconfig data for ${task.arch.name}, so it cannot cross-compile "${task.artifact.name}". Rebuild the image from its recipe in images/, or build with --strategy emulated.`,
  };
}

function taskChoice(task: PlacedTask) {
  return markerEnvironment(task.artifact.runtime, task.arch, { extras: task.artifact.extras, dependencyGroups: task.artifact.dependencyGroups });
}

export const pipBuilder: Builder<PipAnalysis> = {
  name: 'pip',
  version: 6,
  needsContainer: true,
  markers: ['requirements.txt', 'pyproject.toml', 'Pipfile'],
  families: ['python'],

  async analyze(artifact, entries) {
    const files = topLevelFiles(entries);
    const format = findLockfile(artifact.source, files);
    const packagePath = artifact.kind === 'layer' ? 'python' : '';
    if (format) {
      const lock = await readLockfile(artifact.source, format);
      const layout = pythonLayout(artifact.kind, undefined, lock.project !== undefined);
      return {
        installInputs: lockedInputs(entries, lock), installOnly: layout.installOnly, shipsSource: layout.shipsSource, sourcePath: layout.sourcePath,
        facts: await readPipSourceFacts(artifact.source, undefined), pipConf: files.has('pip.conf'), lock, packagePath,
      };
    }
    const hasRequirements = files.has('requirements.txt');
    if (!hasRequirements && !files.has('pyproject.toml')) {
      throw new ConfigError('REQUIREMENTS_MISSING',
        `Function "${artifact.name}": ${artifact.source} has neither requirements.txt nor pyproject.toml, so pip has nothing to install. ` +
        `Add a requirements.txt (it may be empty), or set builder: copy for a function without dependencies.`,
        { file: `${artifact.source}/requirements.txt`, fix: 'add requirements.txt' });
    }
    const manifest = path.join(artifact.source, hasRequirements ? 'requirements.txt' : 'pyproject.toml');
    await access(manifest, constants.R_OK).catch((error: unknown) => {
      throw new ConfigError('REQUIREMENTS_UNREADABLE', `Function "${artifact.name}": ${manifest} cannot be read (${(error as NodeJS.ErrnoException).code}). Fix its permissions (chmod a+r).`, { file: manifest }, { cause: error });
    });
    const requirements = hasRequirements ? await readRequirements(artifact.source) : undefined;
    // A pyproject project installs itself: all of it is input, and its source would ship twice.
    const layout = pythonLayout(artifact.kind, requirements, !requirements);
    return {
      installInputs: requirements ? requirementsInputs(entries, requirements) : entries,
      installOnly: layout.installOnly, shipsSource: layout.shipsSource, sourcePath: layout.sourcePath,
      facts: await readPipSourceFacts(artifact.source, requirements), pipConf: files.has('pip.conf'), packagePath,
    };
  },

  strategyFacts(analysis, task) {
    if (!analysis.lock) return pipStrategyFacts(analysis.facts, task);
    const own = analysis.facts.project;
    const project = analysis.lock.project && own ? { ...own, name: analysis.lock.project.name } : undefined;
    return lockedStrategyFacts(analysis.lock.format, lockedSet(analysis.lock, taskChoice(task)), task.artifact.runtime, task.arch, project, task);
  },

  install(analysis, task, strategy) {
    const { artifact } = task;
    const python = `python${artifact.runtime.python![0]}.${artifact.runtime.python![1]}`;
    const cross = strategy.kind === 'cross';
    // Cross with something to compile: chooseStrategy allows it only where compileCross said how.
    const compile = cross && (pipBuilder.strategyFacts!(analysis, task).mustCompile.length > 0) ? crossCompile(analysis, task) : undefined;
    const crossOptions = cross ? { cross: crossInstallOptions(artifact.runtime, task.arch, { locallyBuilt: compile !== undefined }), ...(compile ? { compile } : {}) } : {};
    const requirements = analysis.facts.requirements;
    const install = analysis.lock
      ? lockedPlan(analysis.lock, { source: artifact.source, runtime: artifact.runtime, arch: task.arch, dependencyGroups: artifact.dependencyGroups, extras: artifact.extras, passEnv: artifact.passEnv, env: artifact.env, cross, ...(compile ? { compile } : {}) }).install
      : requirementsInstall({
        python, requirementsFile: requirements ? 'requirements.txt' : '.', localProjects: requirements ? localProjectDirs(requirements) : ['.'],
        buildSources: requirements ? requirementsBuildSources(requirements) : {}, ...crossOptions,
      });
    const steps: InstallStep[] = [...(compile ? [crossCompilerStep(python, task)] : []), ...planSteps(install)];
    // Cross: pip chooses the target's wheels as it would on Lambda, and never builds one; a failed
    // download most likely means the image's own settings offered other files.
    const download = steps.findIndex((s) => 'run' in s && s.run.includes('download'));
    if (cross && !compile && !analysis.lock && download >= 0) steps[download] = { ...steps[download]!, onFailure: crossFailure(task, requirements ? wheelhouseDirs(requirements) : []) } as InstallStep;
    return {
      steps: [{ require: `command -v ${python} >/dev/null`, message: `lambda-pack: ${python} is not in this image; use an image made for ${artifact.runtime.id}` }, ...steps],
      output: install.output,
      packagePath: analysis.packagePath,
      // A pip.conf in the function directory configures the install (private index) and never ships.
      env: { ...install.env, ...(analysis.pipConf ? { PIP_CONFIG_FILE: `${CONTAINER.build}/pip.conf` } : {}) },
      compilerFlags: true,
      drop: JUNK,
    };
  },
};
