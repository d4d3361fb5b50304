// Whether a pip install for the other architecture may run in a host-architecture container
// (pip --platform … --only-binary=:all:) and give exactly what an install in a container of the
// target gives. Decided on the host, before any container: every named requirement, followed
// through its wheels' METADATA, must be a wheel for the target in a wheelhouse of the function's
// own, with no package index that could offer other files (local pure-Python projects build the
// same anywhere). What must compile (sdists, local C extensions) is cross-compiled where
// setuptools can do it with the image's cross toolchain (pip-compile-cross.ts), and the proof
// decides; otherwise the task builds emulated.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StrategyFacts } from '../plan/strategy.js';
import type { PlacedTask } from '../plan/types.js';
import { compileCrossHow, compilingProject, type Compiling } from './pip-compile-cross.js';
import { readLocalProject, type LocalProject } from './pip-local.js';
import { isUrl, parseNamed, wheelhouseDirs, type NamedRequirement, type PipRequirements } from './pip-requirements.js';
import { normaliseProject, wheelFit } from './pip-tags.js';
import { readWheelhouses, wheelRequirements, type Distributions } from './pip-wheelhouse.js';
import { readSdistProject } from './python/sdist-project.js';

/** What the cross decision needs from a pip source, read once on the host. */
export interface PipSourceFacts {
  /** The function's requirements.txt, read; undefined for a pyproject.toml project. */
  readonly requirements?: PipRequirements;
  /** A pyproject.toml function: the project itself. */
  readonly project?: LocalProject;
  /** Local directory requirements (relative to the source) as projects. */
  readonly localProjects: ReadonlyMap<string, LocalProject>;
  /** pip.conf settings, keys spelt with dashes. */
  readonly conf: ReadonlyMap<string, string>;
  readonly houses: ReadonlyMap<string, Distributions>;
  /** Each wheelhouse wheel's Requires-Dist (undefined: unreadable METADATA), by its path in the source. */
  readonly wheelRequirements: ReadonlyMap<string, (NamedRequirement | 'url')[] | undefined>;
  /** Local archive requirements and wheelhouse sdists as projects (undefined: unreadable here), by path in the source. */
  readonly archives: ReadonlyMap<string, LocalProject | undefined>;
}

const ARCHIVE = /\.(?:tar\.gz|tar\.bz2|tar\.xz|zip)$/i;

/** Reads what the decision needs: local projects, pip.conf, the wheelhouses and their wheels' METADATA. */
export async function readPipSourceFacts(source: string, requirements: PipRequirements | undefined): Promise<PipSourceFacts> {
  const localProjects = new Map<string, LocalProject>();
  for (const local of requirements?.local ?? []) {
    if (!/\.whl$/i.test(local) && !ARCHIVE.test(local)) localProjects.set(local, await readLocalProject(path.join(source, local)));
  }
  const houses = await readWheelhouses(source, requirements ? wheelhouseDirs(requirements) : []);
  const metadata = new Map<string, (NamedRequirement | 'url')[] | undefined>();
  const archives = new Map<string, LocalProject | undefined>();
  for (const local of requirements?.local ?? []) if (ARCHIVE.test(local)) archives.set(local, await readSdistProject(path.join(source, local)));
  for (const distributions of houses.values()) {
    for (const wheel of distributions.wheels) metadata.set(wheel.file, wheelRequirements(path.join(source, wheel.file)));
    for (const sdist of distributions.sdists) archives.set(sdist.file, await readSdistProject(path.join(source, sdist.file)));
  }
  return {
    ...(requirements ? { requirements } : { project: await readLocalProject(source) }),
    localProjects, conf: await pipConf(source), houses, wheelRequirements: metadata, archives,
  };
}

/** pip settings that change where packages come from or whether they build; pip.conf spells them without PIP_. */
const SOURCE_SETTINGS = ['index-url', 'extra-index-url', 'find-links', 'no-binary', 'only-binary', 'config-file'];
/** Markers pip evaluates for the machine it runs on, not for --platform. */
const MACHINE_MARKER = /platform[._]machine/;

function truthy(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  return ['1', 'y', 'yes', 't', 'true', 'on'].includes(v) ? true : ['0', 'n', 'no', 'f', 'false', 'off'].includes(v) ? false : undefined;
}

/** `key = value` settings of the function's pip.conf, in any section, keys spelt with dashes. */
async function pipConf(source: string): Promise<Map<string, string>> {
  const text = await readFile(path.join(source, 'pip.conf'), 'utf8').catch(() => '');
  const settings = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const setting = /^\s*([A-Za-z][\w-]*)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (setting) settings.set(setting[1]!.toLowerCase().replace(/_/g, '-'), setting[2]!);
  }
  return settings;
}

/** Why named requirements could come from somewhere lambda-pack cannot see while planning, if they could. */
function unseenSources(task: PlacedTask, requirements: PipRequirements, conf: ReadonlyMap<string, string>): string[] {
  const { env, passEnv } = task.artifact;
  const envName = (setting: string) => `PIP_${setting.toUpperCase().replace(/-/g, '_')}`;
  const found: string[] = [];
  for (const setting of [...SOURCE_SETTINGS, 'no-index']) {
    const name = envName(setting);
    if (passEnv.includes(name)) found.push(`passEnv names ${name}`);
    else if (setting !== 'no-index' && env[name] !== undefined) found.push(`env sets ${name}`);
    else if (setting !== 'no-index' && conf.has(setting)) found.push(`pip.conf sets ${setting}`);
  }
  const envNoIndex = env.PIP_NO_INDEX === undefined ? undefined : truthy(env.PIP_NO_INDEX);
  const noIndex = requirements.noIndex || (envNoIndex ?? (conf.has('no-index') ? truthy(conf.get('no-index')!) : false));
  if (!noIndex) found.push('its requirements may come from a package index, which lambda-pack does not query while planning; --no-index and --find-links <dir> in requirements.txt let it check');
  found.push(...requirements.findLinks.filter(isUrl).map((f) => `--find-links ${f} is not a directory of the function`));
  return found;
}

interface Wanted { readonly requirement: NamedRequirement; readonly via?: string }

/**
 * Follows the named requirements through the wheelhouses: what must compile (sdists only, or
 * --no-binary) and what keeps the install from being judged (missing, other wheels, markers).
 */
function resolve(task: PlacedTask, wanted: Wanted[], facts: PipSourceFacts, noBinary: readonly string[], dirs: string): { mustCompile: string[]; blockers: string[]; compiling: Compiling[] } {
  const houses = facts.houses;
  const { runtime } = task.artifact;
  const mustCompile = new Set<string>();
  const compiling: Compiling[] = [];
  const blockers: string[] = [];
  const seen = new Set<string>();
  for (let next = wanted.shift(); next; next = wanted.shift()) {
    const { requirement, via } = next;
    const where = via ? ` (required by ${via})` : '';
    if (requirement.marker && MACHINE_MARKER.test(requirement.marker)) {
      blockers.push(`${requirement.text}${where} has a platform_machine marker, which pip evaluates for the machine it runs on`);
      continue;
    }
    const key = `${requirement.project}==${requirement.pin ?? '*'}[${requirement.extras.join(',')}]`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (noBinary.includes(':all:') || noBinary.includes(requirement.project)) {
      mustCompile.add(requirement.project);
      compiling.push({ name: requirement.project, noCross: `--no-binary asks pip to build ${requirement.project} from source, which an install for another platform refuses` });
      continue;
    }
    const found = houses.get(requirement.project);
    const versions = requirement.pin ? [requirement.pin]
      : [...new Set([...(found?.wheels.map((w) => w.name.version) ?? []), ...(found?.sdists.map((s) => s.version) ?? [])])];
    const present = versions.filter((v) => found?.wheels.some((w) => w.name.version === v) || found?.sdists.some((s) => s.version === v));
    if (present.length === 0) { blockers.push(`${requirement.text}${where} is not in ${dirs || 'a wheelhouse of the function (--find-links)'}`); continue; }
    for (const version of present) {
      const wheels = found!.wheels.filter((w) => w.name.version === version);
      const tooNew = wheels.find((w) => wheelFit(w.name, runtime, task.arch) === 'too-new');
      if (tooNew) blockers.push(`${tooNew.file} needs a newer glibc than ${runtime.id} has, and an install on ${task.arch.name} could choose it`);
      const fitting = wheels.filter((w) => wheelFit(w.name, runtime, task.arch) === 'fits');
      if (fitting.length === 0) {
        const sdists = found!.sdists.filter((s) => s.version === version);
        if (sdists.length > 0) mustCompile.add(requirement.project);
        else blockers.push(`${requirement.project} ${version}${where} has no wheel for ${runtime.id} on ${task.arch.name}`);
        // Built into a target wheel before pip resolves, as an install on the target would build it.
        for (const sdist of sdists) compiling.push({ ...compilingProject(requirement.project, facts.archives.get(sdist.file), sdist.file), prebuild: sdist.file, from: { sdist: sdist.file } });
        continue;
      }
      for (const wheel of fitting) {
        const requires = facts.wheelRequirements.get(wheel.file);
        if (!requires) { blockers.push(`${wheel.file} has no readable METADATA`); continue; }
        for (const dependency of requires) {
          if (dependency === 'url') { blockers.push(`${wheel.file} requires a URL`); continue; }
          const extra = /\bextra\s*==\s*["']([^"']+)["']/.exec(dependency.marker ?? '')?.[1];
          if (extra && !requirement.extras.map(normaliseProject).includes(normaliseProject(extra))) continue;
          wanted.push({ requirement: dependency, via: `${requirement.project} ${version}` });
        }
      }
    }
  }
  return { mustCompile: [...mustCompile].sort(), blockers, compiling };
}

/** The reason shown by the plan for a cross build. */
function crossReason(task: PlacedTask, wheelhouses: string, pure: readonly string[], named: boolean): string {
  const { runtime } = task.artifact;
  const wheels = `a cp${runtime.python!.join('')} wheel for ${task.arch.gnuArch} (manylinux, glibc ≤ ${runtime.glibc.join('.')}) in ${wheelhouses || 'the function'}`;
  const local = `${pure.join(', ')} ${pure.length > 1 ? 'are' : 'is'} pure Python`;
  const what = pure.length === 0 ? `every requirement is ${wheels}` : named ? `${local}, every other requirement is ${wheels}` : local;
  const them = named || pure.length > 1 ? 'them' : 'it';
  return `${what}: ${task.engine.arch.name} pip installs ${them} for ${task.arch.name} (--platform, --only-binary=:all:)`;
}

interface Judgement {
  readonly mustCompile: readonly string[];
  readonly blockers: readonly string[];
  readonly compiling: readonly Compiling[];
  readonly wheelhouses: string;
  readonly pure: readonly string[];
  readonly named: boolean;
}

/** What a requirements.txt install compiles, and what keeps it from being judged on the host. */
function judge(facts: PipSourceFacts, task: PlacedTask, requirements: PipRequirements): Judgement {
  const wheelhouses = wheelhouseDirs(requirements).map((d) => `${d}/`).join(', ');
  const pure: string[] = [];
  const mustCompile = new Set<string>();
  const compiling: Compiling[] = [];
  const blockers = requirements.urls.map((u) => `${u} is a URL requirement`);
  const wanted: Wanted[] = requirements.named.map((requirement) => ({ requirement }));
  const follow = (project: LocalProject, local: string) => {
    if (!project.dependencies) { blockers.push(`${local} has a setup.py that may declare dependencies lambda-pack cannot read`); return; }
    for (const dependency of project.dependencies) {
      const parsed = parseNamed(dependency);
      if (parsed === 'url' || !parsed) blockers.push(`${local} requires ${dependency}`);
      else wanted.push({ requirement: parsed, via: project.name });
    }
  };
  for (const local of requirements.local) {
    if (/\.whl$/i.test(local)) { blockers.push(`${local} is a wheel named by path`); continue; }
    if (ARCHIVE.test(local)) {
      const project = facts.archives.get(local);
      const name = project?.name ?? path.posix.basename(local);
      mustCompile.add(name);
      compiling.push({ ...compilingProject(name, project, local), from: { sdist: local } });
      if (project) follow(project, local);
      continue;
    }
    const project = facts.localProjects.get(local)!;
    if (project.compiles) { mustCompile.add(project.name); compiling.push({ ...compilingProject(project.name, project, local), from: { local } }); follow(project, local); continue; }
    if (project.dependencies) pure.push(project.name);
    follow(project, local);
  }
  // Local pure-Python projects without dependencies build the same anywhere: only named
  // requirements depend on where pip looks.
  const named = wanted.length > 0;
  if (named) blockers.push(...unseenSources(task, requirements, facts.conf));
  const resolved = resolve(task, wanted, facts, requirements.noBinary, wheelhouses);
  for (const name of resolved.mustCompile) mustCompile.add(name);
  blockers.push(...resolved.blockers);
  compiling.push(...resolved.compiling);
  return { mustCompile: [...mustCompile].sort(), blockers, compiling, wheelhouses, pure, named };
}

/** The strategy facts of a pip function or layer for `task.arch`, built from a container of the engine's architecture. */
export function pipStrategyFacts(facts: PipSourceFacts, task: PlacedTask): StrategyFacts {
  const requirements = facts.requirements;
  if (!requirements) {
    const project = facts.project!;
    if (!project.compiles) return { mustCompile: [], noCross: 'a pyproject.toml function installs its own source; pip cross-builds requirements.txt functions only' };
    // Its dependencies would come from wherever pip looks: only a project without any is judged.
    const blockers = project.dependencies?.length === 0 ? [] : ['a pyproject.toml function may require what lambda-pack cannot see while planning'];
    const how = compileCrossHow(task, [compilingProject(project.name, project, 'the project')], blockers);
    return { mustCompile: [project.name], cross: crossReason(task, '', [], true), ...(how ? { compileCross: how } : {}) };
  }
  const judged = judge(facts, task, requirements);
  const { mustCompile, blockers, wheelhouses, pure, named } = judged;
  if (mustCompile.length > 0) {
    const how = compileCrossHow(task, judged.compiling, blockers);
    return { mustCompile, cross: crossReason(task, wheelhouses, pure, named), ...(how ? { compileCross: how } : {}) };
  }
  if (blockers.length > 0) return { mustCompile: [], noCross: blockers.length > 1 ? `${blockers[0]}; and ${blockers.length - 1} more` : blockers[0] };
  return { mustCompile: [], cross: crossReason(task, wheelhouses, pure, named) };
}

/** What a requirements.txt install compiles, each with what it is built from (the parts a hybrid may build on the target alone). */
export function pipCompiling(facts: PipSourceFacts, task: PlacedTask): readonly Compiling[] {
  return facts.requirements ? judge(facts, task, facts.requirements).compiling : [];
}

/** The wheelhouse sdists a cross-compiling install builds into target wheels before pip resolves (paths in the source, sorted). */
export function pipPrebuilds(facts: PipSourceFacts, task: PlacedTask): string[] {
  if (!facts.requirements) return [];
  return [...new Set(judge(facts, task, facts.requirements).compiling.flatMap((c) => (c.prebuild ? [c.prebuild] : [])))].sort();
}
