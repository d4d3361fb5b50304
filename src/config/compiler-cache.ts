// The compiler cache setting of a function or layer (`compilerCache`, default on for every
// builder that compiles in a container) and the settings that would fight it: lambda-pack
// configures ccache itself, so that a cache hit can never change what ships.
import { builderFor, type BuilderName } from '../builders/index.js';

export interface CompilerCacheMisfit {
  /** The field at fault, below the artifact: ['compilerCache'], ['env', 'CCACHE_DIR'], ['passEnv', 0]. */
  readonly field: readonly (string | number)[];
  readonly problem: string;
  readonly fix: string;
}

export interface CompilerCacheSetting {
  readonly builder: BuilderName;
  readonly kind: 'function' | 'layer';
  /** The artifact's own `compilerCache`, and the config's top-level default. */
  readonly own: boolean | undefined;
  readonly project: boolean | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly passEnv: readonly string[];
}

/** Whether the artifact's install runs with lambda-pack's compiler cache. */
export function compilerCacheOf(setting: CompilerCacheSetting): boolean {
  return builderFor(setting.builder).needsContainer && (setting.own ?? setting.project ?? true);
}

const CCACHE_VARIABLE = /^CCACHE_/;

export function compilerCacheMisfit(setting: CompilerCacheSetting): CompilerCacheMisfit | undefined {
  const { builder, kind } = setting;
  if (setting.own !== undefined && !builderFor(builder).needsContainer) {
    return {
      field: ['compilerCache'],
      problem: `"compilerCache" is a setting of builders that compile in a container (npm, pip, make, cargo), but this ${kind} uses the ${builder} builder, which packages its source as it is.`,
      fix: 'Remove "compilerCache".',
    };
  }
  if (!compilerCacheOf(setting)) return undefined;
  const inEnv = Object.keys(setting.env).find((name) => CCACHE_VARIABLE.test(name));
  const passed = setting.passEnv.findIndex((name) => CCACHE_VARIABLE.test(name));
  if (inEnv === undefined && passed < 0) return undefined;
  const name = inEnv ?? setting.passEnv[passed]!;
  return {
    field: inEnv !== undefined ? ['env', name] : ['passEnv', passed],
    problem: `${name} configures ccache, which lambda-pack runs itself as this ${kind}'s compiler cache, with settings that never change what ships (a cache directory per build image, compiler_check content, no base_dir, no sloppiness).`,
    fix: `Remove ${name}, or set compilerCache: false on the ${kind} to build without lambda-pack's compiler cache (then CCACHE_ variables are yours to set).`,
  };
}
