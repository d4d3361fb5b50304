// The compiler cache of an install: ccache, where the build image has it (the local images do,
// with a masquerade link for every compiler, native and cross; official SAM images do not, and
// then the install compiles without it). Its results live in the engine's per-architecture cache
// volume, one directory per build image and user: a rebuilt image (another compiler, other
// headers) starts empty, and a directory another uid made is not writable. PATH finds the
// masquerade first, so every compiler found through PATH is cached: node-gyp's cc/g++,
// setuptools' x86_64-linux-gnu-gcc, a Makefile's own `CC = gcc`, `make CC=aarch64-linux-gnu-gcc`,
// the `cc` crate under cargo; links pass through to the real compiler.
// Nothing here changes what is compiled: base_dir stays empty (it rewrites the compiler's own
// arguments to relative paths, which lands in __FILE__ and DWARF names; lambda-pack builds at fixed
// paths, so absolute paths never cost a hit), no sloppiness, compilers compared by content.
import { CONTAINER, cacheHome } from '../builders/types.js';
import { quote } from './shell.js';

/** Debian's masquerade directory: links named like each compiler, pointing at ccache. */
const MASQUERADE = '/usr/lib/ccache';
const MAX_SIZE = '1G';
/** ccache's counter of each compile this install ran, read for the summary line. */
const STATS_LOG = `${CONTAINER.home}/ccache-stats.log`;
/** A directory no build has used for this many days (its image long gone) is removed. */
const UNUSED_DAYS = 30;

export interface CompilerCacheSetup {
  /** The build image's id (sha256:…): the results of one image's compilers stay apart from another's. */
  readonly imageId: string;
  readonly uid: number;
  /** --no-cache: compile everything afresh and store the results, read none. */
  readonly fresh: boolean;
}

/** `<volume>/<uid>/ccache/<first 12 hex digits of the image id>`. */
export function compilerCacheDir(uid: number, imageId: string): string {
  return `${compilerCacheRoot(uid)}/${imageId.replace(/^sha256:/, '').slice(0, 12)}`;
}

function compilerCacheRoot(uid: number): string {
  return `${cacheHome(uid)}/ccache`;
}

/** The environment ccache runs with: every setting that could matter set here, none left to the image. */
export function compilerCacheEnv(setup: CompilerCacheSetup): Record<string, string> {
  return {
    CCACHE_DIR: compilerCacheDir(setup.uid, setup.imageId),
    CCACHE_BASEDIR: '',
    CCACHE_SLOPPINESS: '',
    CCACHE_COMPILERCHECK: 'content',
    CCACHE_MAXSIZE: MAX_SIZE,
    CCACHE_STATSLOG: STATS_LOG,
    ...(setup.fresh ? { CCACHE_RECACHE: '1' } : {}),
  };
}

/** Shell lines before the install's steps: ccache first in PATH when the image has it. */
export function compilerCacheStart(setup: CompilerCacheSetup): string[] {
  const env = compilerCacheEnv(setup);
  const exports = Object.entries(env).map(([name, value]) => `${name}=${quote(value)}`).join(' ');
  return [
    `if [ -d ${MASQUERADE} ] && command -v ccache >/dev/null 2>&1; then`,
    `  export ${exports} PATH=${MASQUERADE}:"$PATH"`,
    '  mkdir -p "$CCACHE_DIR" && touch "$CCACHE_DIR"',
    `  find ${quote(compilerCacheRoot(setup.uid))} -mindepth 1 -maxdepth 1 -type d -mtime +${UNUSED_DAYS} -exec rm -rf {} + 2>/dev/null || true`,
    '  lambda_pack_compiler_cache=1',
    'else',
    `  echo 'lambda-pack: this image has no ccache (${MASQUERADE}): compiling without the compiler cache'`,
    'fi',
  ];
}

/** The line after the steps that says what the compiler cache did: `compiler cache: 3 hits, 0 misses`. */
export function compilerCacheSummary(): string[] {
  const count = (...ids: string[]) => `$(grep -c -x ${ids.map((id) => `-e ${id}`).join(' ')} ${STATS_LOG} || true)`;
  return [
    `if [ -n "\${lambda_pack_compiler_cache:-}" ] && [ -f ${STATS_LOG} ]; then`,
    `  echo "lambda-pack: compiler cache: ${count('direct_cache_hit', 'preprocessed_cache_hit')} hits, ${count('cache_miss')} misses, ${count('recache')} recompiled (ccache in $CCACHE_DIR)"`,
    'fi',
  ];
}
