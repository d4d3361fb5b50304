// A task is one artifact (function or layer) × one architecture. Placed on an engine it gets its
// images; with its builder's analysis it becomes a TaskPlan: everything a build will do, as data.
import type { BuilderName } from '../config/schema.js';
import type { ArtifactConfig } from '../config/types.js';
import type { Architecture, ArchName } from '../runtimes.js';
import type { SourceEntry } from '../package/sources.js';

/** Where a task's build image comes from. The reference of a recipe image is known only once its base is. */
export type ImageChoice =
  | { readonly kind: 'reference'; readonly ref: string; readonly origin: 'config' | 'official' }
  | { readonly kind: 'recipe'; readonly recipe: string; readonly origin: 'local' | 'official' };

export interface Task {
  /** `<name>-<arch>`: unique in a plan, names the zip. */
  readonly id: string;
  readonly artifact: ArtifactConfig;
  readonly arch: Architecture;
  /** Absolute path of the zip this task writes. */
  readonly output: string;
}

export type StrategyKind = 'native' | 'cross' | 'emulated';
export type RequestedStrategy = StrategyKind | 'auto';

/** A task on the engine that builds it. */
export interface PlacedTask extends Task {
  /** The engine (address and origin, when known) and the architecture of the machine it runs on. */
  readonly engine: { readonly name?: string; readonly arch: Architecture };
  /** The target-architecture build image; null when the builder installs nothing. */
  readonly image: ImageChoice | null;
  /** The engine-architecture image, for a cross build (null when the task's arch is the engine's). */
  readonly engineImage: ImageChoice | null;
  /**
   * An engine-architecture image with the target's C/C++ cross compilers where engineImage has
   * none (the official images: images/official-cross), for a task that compiles; building it
   * costs a pull and a download, so a task takes it only when it would otherwise emulate.
   */
  readonly crossImage?: ImageChoice;
  /** What the user asked for (`--strategy`); `auto` lets the builder decide from the source. */
  readonly requestedStrategy: RequestedStrategy;
  /** The runtime image the load check runs the zip in; null when it is not checked. */
  readonly runtimeImage: ImageChoice | null;
  /** Image functions: the image to make and where it goes. */
  readonly imageTarget?: ImageTarget;
}

/** How a task's container relates to its target architecture, and why. */
export interface Strategy {
  readonly kind: StrategyKind;
  readonly reason: string;
  /** The architecture the build container runs as. */
  readonly buildArch: Architecture;
  /**
   * A cross compile chosen by `auto`: the artifact is accepted only once verify finds no error and
   * the load check passes on the target; otherwise the task is rebuilt emulated (TaskPlan.fallback).
   */
  readonly proof?: boolean;
}

/** One thing the build container does, in order. */
export type InstallStep =
  /** Runs argv; on failure prints `onFailure` (what it most likely means) and exits with its status. */
  | { readonly run: readonly string[]; readonly onFailure?: string }
  /** Stops the build (exit 127) with `message` unless the shell condition `require` holds (a tool is there). */
  | { readonly require: string; readonly message: string };

/** The dependency install of a task: the container it runs, what goes in and what comes out. */
export interface InstallPlan {
  readonly image: ImageChoice;
  readonly steps: readonly InstallStep[];
  /** The container's environment, without passEnv values (those are read from the host at run time). */
  readonly env: Readonly<Record<string, string>>;
  /** Host variables passed through by name. */
  readonly passEnv: readonly string[];
  /** Source entries sent into the container at CONTAINER.build. */
  readonly inputs: readonly SourceEntry[];
  /** Files the builder wrote for the install (derived lockfiles, helper scripts), relative to CONTAINER.build. */
  readonly generated: readonly { readonly path: string; readonly content: string; readonly sensitive?: boolean }[];
  /** The container directory copied out afterwards. */
  readonly output: string;
  /** Where the steps run. */
  readonly workdir: string;
  /** Whether a missing output means "nothing to ship" rather than a failed install. */
  readonly outputOptional: boolean;
  /** Container directories whose content may replace a link out of the output. */
  readonly materialiseWithin: readonly string[];
  /** Globs (relative to the output) that never ship. */
  readonly drop: readonly string[];
  /** node-gyp build trees in the output keep only their loadable products. */
  readonly pruneBuildTrees: boolean;
  /**
   * Compiles go through ccache (where the image has it), results kept in the engine's cache
   * volume per build image. Not key material: hit or miss, on or off, the output is the same bytes.
   */
  readonly compilerCache: boolean;
}

/** What the zip holds: the shipped source and the installed dependencies, each at a prefix. */
export interface PackageLayout {
  readonly source?: { readonly prefix: string; readonly entries: readonly SourceEntry[]; readonly skip: readonly string[] };
  readonly dependencies?: { readonly prefix: string };
}

/** Cache keys before the build image is known; bound to its id by bindKeys(). */
export interface KeyMaterial {
  /** Hash of everything but the image that can change the install; null without an install. */
  readonly dependency: string | null;
  /** Hash of the shipped source. */
  readonly source: string;
  /** Hash of the layout and zip settings. */
  readonly layout: string;
}

export interface VerifyOptions {
  readonly runtimes: readonly string[];
  readonly layer: boolean;
  readonly handler?: string;
  /** Ids of the layer tasks (same architecture) whose zips are verified with this one. */
  readonly layers: readonly string[];
  readonly allowSecrets: readonly string[];
  /** Lambda's init phase for the zip, in a container of its architecture from this runtime image; null: not checked. */
  readonly loadCheck: { readonly image: ImageChoice } | null;
}

/** An image function's image: on which base, what it runs, where it goes. */
export interface ImageTarget {
  /** The runtime's Lambda base image (mirrored), or its offline stand-in on the engine. */
  readonly base: ImageChoice;
  /** The image's CMD: the handler (provided runtimes: "bootstrap"). */
  readonly cmd: readonly string[];
  readonly repository: string;
  /** `<tag>-<arch>`; without a tag, `<digest>-<arch>` once the digest is known. */
  readonly tag?: string;
  /** Pushed to the registry; otherwise loaded into the task's engine. */
  readonly push: boolean;
}

export interface TaskPlan {
  readonly id: string;
  readonly name: string;
  readonly kind: 'function' | 'layer';
  readonly runtime: string;
  readonly runtimes: readonly string[];
  readonly arch: ArchName;
  readonly builder: BuilderName;
  readonly builderVersion: number;
  readonly source: string;
  readonly engine: { readonly name?: string; readonly arch: ArchName };
  readonly strategy: { readonly kind: StrategyKind; readonly reason: string; readonly buildArch: ArchName; readonly proof?: true };
  /** A cross compile's proof can refuse it: then this plan, the same task emulated, builds it. */
  readonly fallback?: TaskPlan;
  /**
   * What of a cross compile may be built alone on the target: when a failure belongs to some of
   * these parts, they are (plan/hybrid.ts) and the cross install takes them, before `fallback`.
   */
  readonly hybrid?: HybridTemplate;
  /** A hybrid: these parts were built alone in a container of the target first, and the install was offered their output. */
  readonly prebuild?: Prebuild;
  /** null when nothing is installed (the source is packaged as it is). */
  readonly install: InstallPlan | null;
  readonly package: PackageLayout;
  /**
   * The zip (always written and verified: for an image function it holds exactly the files of the
   * image's code and dependency layers), and for an image function the image made of them.
   */
  readonly output: { readonly kind: 'zip' | 'image'; readonly path: string; readonly mtime: string; readonly level: number; readonly image?: ImageTarget };
  readonly keys: KeyMaterial;
  readonly verify: VerifyOptions;
  /** The builder's own decisions and why (a bundle's externals, the package manager), when it has any. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** One part of a cross compile that can be built alone on the target (a requirement). */
export interface HybridPart {
  /** As the user knows it: the requirement's project name. */
  readonly name: string;
  /** The distribution the installed files name (normalised): how a refused file is traced to it. */
  readonly distribution: string;
  /** The line its failed cross build prints: how a failed install is traced to it. */
  readonly failure: string;
  /** Its build alone, in the target's container, into the template's output. */
  readonly steps: readonly InstallStep[];
}

export interface HybridTemplate {
  /** The container of the target that builds the chosen parts (the emulated build's image, env and inputs) and its first steps. */
  readonly install: InstallPlan;
  readonly parts: readonly HybridPart[];
  /** How installed files name their part: Python's *.dist-info/RECORD. */
  readonly owners: 'dist-info';
}

export interface Prebuild {
  /** The parts built on the target (names), and why they could not cross. */
  readonly parts: readonly string[];
  readonly why: string;
  readonly buildArch: ArchName;
  /** Its output is copied into the install's container at the same path before the install runs. */
  readonly install: InstallPlan;
}

export interface Selection {
  /** Artifact names to build; empty = all. */
  readonly names?: readonly string[];
  /** Only this architecture; undefined = each artifact's own. */
  readonly arch?: ArchName;
  /** Overrides the config's outDir (absolute). */
  readonly outDir?: string;
  readonly strategy?: RequestedStrategy;
  /** false: no load check this run (`--no-load-check`). */
  readonly loadCheck?: boolean;
  /** Push every image function (`build --push`). */
  readonly push?: boolean;
}
