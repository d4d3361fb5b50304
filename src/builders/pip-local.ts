// A local Python project (a path requirement, or a pyproject function itself), read on the host:
// its name, whether installing it compiles anything, whether setuptools can cross-compile it, and
// what it depends on. The same judgement reads an sdist archive's members (python/sdist-project.ts).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseManifest } from './manifests.js';
import { normaliseProject } from './pip-tags.js';

/** Sources and build files of compiled languages: their presence means the build compiles. */
const NATIVE_FILE = /\.(?:c|cc|cpp|cxx|m|mm|pyx|f|f90|rs|go|s)$|^(?:Cargo\.toml|CMakeLists\.txt|meson\.build|binding\.gyp)$/i;
/** What a GNU C/C++ cross compiler builds through setuptools: C, C++ and Cython (which the build turns into C). */
const CROSS_FILE = /\.(?:c|cc|cpp|cxx|pyx)$/i;
/** What a setup.py uses to build extensions or to run its own build code. */
const SETUP_BUILDS = /ext_modules|Extension\s*\(|cffi_modules|rust_extensions|cmdclass|distclass|build_ext/;
/** Build backends that only copy Python files into a wheel. */
const PURE_BACKENDS = new Set(['setuptools.build_meta', 'setuptools.build_meta:__legacy__', 'hatchling.build', 'flit_core.buildapi', 'poetry.core.masonry.api', 'pdm.backend']);
/** The setuptools backends: they compile with the compiler and sysconfig data the environment names. */
export const SETUPTOOLS_BACKENDS: readonly string[] = ['setuptools.build_meta', 'setuptools.build_meta:__legacy__'];
/** PEP 517's backend for a project without [build-system]. */
const LEGACY_BACKEND = 'setuptools.build_meta:__legacy__';

export interface LocalProject {
  readonly name: string;
  /** Why installing it compiles, when it does. */
  readonly compiles?: string;
  /** Why setuptools cannot cross-compile it with a GNU C/C++ cross compiler, when it compiles and that is so. */
  readonly noCrossCompile?: string;
  /** Its declared dependencies (PEP 508 strings); undefined when a setup.py may declare more. */
  readonly dependencies?: readonly string[];
}

/** What the judgement reads of a project: its build files' text and every file's path ('/'-separated, relative to the project). */
export interface ProjectFiles {
  /** Named in parse errors: the project directory, or `archive.tar.gz:member/`. */
  readonly where: string;
  /** The name when pyproject.toml gives none (the directory's, or the sdist's project name). */
  readonly fallbackName: string;
  readonly pyproject?: string;
  readonly setup?: string;
  readonly paths: readonly string[];
}

/** Judges a project from its files. Pure. */
export function describeProject(files: ProjectFiles): LocalProject {
  const { pyproject, setup } = files;
  type Pyproject = { project?: { name?: unknown; dependencies?: unknown; dynamic?: unknown }; 'build-system'?: { 'build-backend'?: unknown } };
  const manifest = (pyproject ? parseManifest(path.join(files.where, 'pyproject.toml'), pyproject, 'toml', 'Fix the TOML syntax of pyproject.toml.') : {}) as Pyproject;
  const name = typeof manifest.project?.name === 'string' ? normaliseProject(manifest.project.name) : files.fallbackName;
  const declaredBackend = manifest['build-system']?.['build-backend'];
  const backend = typeof declaredBackend === 'string' ? declaredBackend : LEGACY_BACKEND;
  const natives = [...files.paths].sort().filter((f) => NATIVE_FILE.test(path.posix.basename(f)));
  const native = natives[0];
  const compiles = native ? `has ${native}`
    : setup && SETUP_BUILDS.test(setup) ? 'its setup.py builds extensions'
    : !PURE_BACKENDS.has(backend) ? `its build backend is ${backend}`
    : undefined;
  const other = natives.find((f) => !CROSS_FILE.test(f));
  const noCrossCompile = !compiles ? undefined
    : !SETUPTOOLS_BACKENDS.includes(backend) ? `its build backend is ${backend}, not setuptools`
    : other ? `it has ${other}, which the C/C++ cross compiler does not build`
    : setup && /rust_extensions/.test(setup) ? 'its setup.py builds Rust extensions'
    : undefined;
  const dynamic = Array.isArray(manifest.project?.dynamic) && manifest.project.dynamic.includes('dependencies');
  const declared = Array.isArray(manifest.project?.dependencies) ? manifest.project.dependencies.filter((d): d is string => typeof d === 'string') : [];
  const unknownDependencies = dynamic || (setup !== undefined && /install_requires|setup_requires/.test(setup)) || (setup !== undefined && !manifest.project);
  return { name, ...(compiles ? { compiles } : {}), ...(noCrossCompile ? { noCrossCompile } : {}), ...(unknownDependencies ? {} : { dependencies: declared }) };
}

export async function readLocalProject(dir: string): Promise<LocalProject> {
  const text = (file: string) => readFile(path.join(dir, file), 'utf8').catch(() => undefined);
  const [pyproject, setup] = [await text('pyproject.toml'), await text('setup.py')];
  const paths = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return describeProject({
    where: dir, fallbackName: path.basename(dir), paths: paths.map((f) => f.split(path.sep).join('/')),
    ...(pyproject !== undefined ? { pyproject } : {}), ...(setup !== undefined ? { setup } : {}),
  });
}
