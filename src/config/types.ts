// The normalised config: defaults applied, builders inferred, paths absolute, names checked.
import type { Architecture, ArchName, Runtime } from '../runtimes.js';
import type { BuilderName } from './schema.js';

export type ArtifactKind = 'function' | 'layer';

export interface ArtifactConfig {
  readonly name: string;
  readonly kind: ArtifactKind;
  /** The runtime whose image builds it; for a layer, the first of `runtimes`. */
  readonly runtime: Runtime;
  /** Compatible runtimes (a function has exactly its own). */
  readonly runtimes: readonly Runtime[];
  /** Absolute path of the source directory. */
  readonly source: string;
  readonly builder: BuilderName;
  readonly architectures: readonly Architecture[];
  readonly exclude: readonly string[];
  /** Build-time env: literal values from `env`, then host values of the names in `passEnv`. */
  readonly env: Readonly<Record<string, string>>;
  /** Names of host variables passed through (their values are read at build time). */
  readonly passEnv: readonly string[];
  /** Explicit image per architecture, when configured for this artifact or its runtime. */
  readonly images: Readonly<Partial<Record<Architecture['name'], string>>>;
  readonly handler?: string;
  readonly layers: readonly string[];
  readonly binary?: string;
  /** Zip paths (globs) exempt from the SECRET_FILE check. */
  readonly allowSecrets: readonly string[];
  /** Functions: whether the zip is proven to load before it is accepted (layers are checked with the functions that use them). */
  readonly loadCheck: boolean;
  /** Functions: a .zip (default) or a container image. */
  readonly packageType: 'zip' | 'image';
  /** packageType image: where the image goes. */
  readonly imageOutput?: { readonly repository: string; readonly tag?: string; readonly push: boolean };
  /**
   * Whether the install keeps compiled objects in the engine's cache volume (ccache, where the
   * build image has it): on by default for builders that run in a container.
   */
  readonly compilerCache: boolean;
  /** Debug sections stripped from the shipped ELF files (cargo: by default). */
  readonly strip: boolean;
  /** make only: false keeps the other architecture's build emulated; otherwise it cross-compiles when the image can, and the proof decides. */
  readonly cross?: boolean;
  /** pip with a lockfile: the dependency groups and extras that ship. */
  readonly dependencyGroups: readonly string[];
  readonly extras: readonly string[];
  /**
   * make only: the target to run, which must exist in the Makefile (a missing one is an error naming
   * the Makefile and the target, as in SAM). Set for template resources (`build-<LogicalId>`); when
   * undefined, make runs `build-<name>` if the Makefile has it, else its default target.
   */
  readonly makeTarget?: string;
  /**
   * make only: absolute path of the directory make runs in (its working directory; SAM's
   * BuildProperties.WorkingDirectory), inside the project. The Makefile is still the one in `source`
   * (`make -f <source>/Makefile`), and $(ARTIFACTS_DIR) is still the output. The builder must send this
   * directory's tree into the container too. Undefined: make runs in `source`.
   */
  readonly workingDirectory?: string;
  /**
   * npm, pip, cargo: absolute path of the dependency manifest (package.json, requirements.txt,
   * pyproject.toml, Cargo.toml) to install from, inside the project, when it is not in `source` (SAM's
   * manifest path: CodeUri src/ with ../package.json). Its directory's lockfile (package-lock.json…)
   * belongs to it; the code still ships from `source`, the installed dependencies beside it as usual.
   * Undefined: the manifest in `source`.
   */
  readonly manifest?: string;
  /** The project root (absolute): the Node builder walks up from the source to a workspace root no higher. */
  readonly root: string;
  /** npm functions: bundle the handler with esbuild. */
  readonly bundle?: BundleConfig;
}

export interface BundleConfig {
  readonly tool: 'esbuild';
  readonly minify: boolean;
  readonly sourcemap: boolean;
  readonly target?: string;
  readonly format: 'cjs' | 'esm';
  readonly external: readonly string[];
  readonly banner?: string;
}

/** A configured Docker engine: an address or a Docker context, with TLS or SSH material (absolute paths). */
export interface EngineSpec {
  /** The config field it came from ("docker.hosts.arm64"), for messages. */
  readonly field: string;
  readonly host?: string;
  readonly context?: string;
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string; readonly verify: boolean };
  readonly identityFile?: string;
}

export interface ProjectConfig {
  /** Absolute path of the config file (or package.json holding it). */
  readonly file: string;
  /** Directory of the config file: the project root. */
  readonly root: string;
  readonly outDir: string;
  readonly concurrency?: number;
  readonly imageSet: 'official' | 'local';
  /** Extra CA certificate bundle files (absolute) made available to every build. */
  readonly certificates: readonly string[];
  readonly docker: {
    /** The default engine (else DOCKER_HOST, the current Docker context, the platform's socket). */
    readonly host?: EngineSpec;
    /** Engines for particular architectures; the others use `host`. */
    readonly hosts: Readonly<Partial<Record<ArchName, EngineSpec>>>;
    readonly memory?: string;
  };
  readonly artifacts: readonly ArtifactConfig[];
  /** Official images read from a mirror instead of public.ecr.aws. */
  readonly imageMirror?: { readonly prefix?: string; readonly images?: Readonly<Record<string, string>> };
  /** `zig`: compiling npm and make tasks on official images cross-compile on images/official-cross. */
  readonly officialCrossToolchain?: 'zig';
}
