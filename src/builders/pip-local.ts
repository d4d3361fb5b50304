// A local Python project (a path requirement, or a pyproject function itself), read on the host:
// its name, whether installing it compiles anything, and what it depends on.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseManifest } from './manifests.js';
import { normaliseProject } from './pip-tags.js';

/** Sources and build files of compiled languages: their presence means the build compiles. */
const NATIVE_FILE = /\.(?:c|cc|cpp|cxx|m|mm|pyx|f|f90|rs|go|s)$|^(?:Cargo\.toml|CMakeLists\.txt|meson\.build|binding\.gyp)$/i;
/** What a setup.py uses to build extensions or to run its own build code. */
const SETUP_BUILDS = /ext_modules|Extension\s*\(|cffi_modules|rust_extensions|cmdclass|distclass|build_ext/;
/** Build backends that only copy Python files into a wheel. */
const PURE_BACKENDS = new Set(['setuptools.build_meta', 'setuptools.build_meta:__legacy__', 'hatchling.build', 'flit_core.buildapi', 'poetry.core.masonry.api', 'pdm.backend']);

export interface LocalProject {
  readonly name: string;
  /** Why installing it compiles, when it does. */
  readonly compiles?: string;
  /** Its declared dependencies (PEP 508 strings); undefined when a setup.py may declare more. */
  readonly dependencies?: readonly string[];
}

async function nativeFile(dir: string): Promise<string | undefined> {
  const files = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return files.map((f) => f.split(path.sep).join('/')).sort().find((f) => NATIVE_FILE.test(path.posix.basename(f)));
}

export async function readLocalProject(dir: string): Promise<LocalProject> {
  const text = (file: string) => readFile(path.join(dir, file), 'utf8').catch(() => undefined);
  const [pyproject, setup] = [await text('pyproject.toml'), await text('setup.py')];
  type Pyproject = { project?: { name?: unknown; dependencies?: unknown; dynamic?: unknown }; 'build-system'?: { 'build-backend'?: unknown } };
  const manifest = (pyproject ? parseManifest(path.join(dir, 'pyproject.toml'), pyproject, 'toml', 'Fix the TOML syntax of pyproject.toml.') : {}) as Pyproject;
  const name = typeof manifest.project?.name === 'string' ? normaliseProject(manifest.project.name) : path.basename(dir);
  const backend = manifest['build-system']?.['build-backend'];
  const native = await nativeFile(dir);
  const compiles = native ? `has ${native}`
    : setup && SETUP_BUILDS.test(setup) ? 'its setup.py builds extensions'
    : typeof backend === 'string' && !PURE_BACKENDS.has(backend) ? `its build backend is ${backend}`
    : undefined;
  const dynamic = Array.isArray(manifest.project?.dynamic) && manifest.project.dynamic.includes('dependencies');
  const declared = Array.isArray(manifest.project?.dependencies) ? manifest.project.dependencies.filter((d): d is string => typeof d === 'string') : [];
  const unknownDependencies = dynamic || (setup !== undefined && /install_requires|setup_requires/.test(setup)) || (setup !== undefined && !manifest.project);
  return { name, ...(compiles ? { compiles } : {}), ...(unknownDependencies ? {} : { dependencies: declared }) };
}
