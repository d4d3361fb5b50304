// Renders an install's steps into the one script its container runs: cache directories in the
// package-manager volume, the compiler cache when on, extra CA certificates when configured, the
// image's own Node headers for node-gyp, then each step with every argument quoted.
import { CONTAINER, cacheHome } from '../builders/types.js';
import { command, quote } from './shell.js';
import { compilerCacheStart, compilerCacheSummary, type CompilerCacheSetup } from './compiler-cache.js';
import type { InstallStep } from '../plan/types.js';

/** Shell lines that trust the extra certificates on top of the image's own bundle. */
function trustExtraCertificates(): string[] {
  const bundle = `${CONTAINER.home}/ca-bundle.pem`;
  return [
    `cat /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt 2>/dev/null > ${bundle} || true`,
    `cat ${CONTAINER.caBundle} >> ${bundle}`,
    `export NODE_EXTRA_CA_CERTS=${CONTAINER.caBundle} SSL_CERT_FILE=${bundle} PIP_CERT=${bundle} REQUESTS_CA_BUNDLE=${bundle} CARGO_HTTP_CAINFO=${bundle} GIT_SSL_CAINFO=${bundle} CURL_CA_BUNDLE=${bundle}`,
  ];
}

export function renderStep(step: InstallStep): string {
  if ('require' in step) return `${step.require} || { echo ${quote(step.message)} >&2; exit 127; }`;
  const line = command(step.run);
  return step.onFailure ? `${line} || { status=$?; echo ${quote(step.onFailure)} >&2; exit $status; }` : line;
}

export interface ScriptOptions {
  readonly uid: number;
  readonly extraCertificates: boolean;
  /** Absent: the install compiles without the compiler cache. */
  readonly compilerCache?: CompilerCacheSetup;
}

export function renderScript(steps: readonly InstallStep[], options: ScriptOptions): string {
  const cache = cacheHome(options.uid);
  return [
    'set -eu',
    `mkdir -p ${CONTAINER.home}`,
    // Package-manager caches live in a per-architecture engine volume (docker/volumes.ts), one
    // directory per user: a directory another uid created is not writable.
    `mkdir -p ${cache}`,
    // cargo-zigbuild's zig keeps what it built for a target there too (images/official-cross's
    // wrappers use the cache baked into their image instead).
    `export npm_config_cache=${cache}/npm PIP_CACHE_DIR=${cache}/pip CARGO_HOME=${cache}/cargo ZIG_GLOBAL_CACHE_DIR=${cache}/zig`,
    ...(options.compilerCache ? compilerCacheStart(options.compilerCache) : []),
    ...(options.extraCertificates ? trustExtraCertificates() : []),
    // Node images keep their headers beside the binary; point node-gyp at them (no download).
    'node_prefix=$(dirname "$(dirname "$(command -v node 2>/dev/null || echo /nonexistent/bin/node)")")',
    'if [ -z "${npm_config_nodedir:-}" ] && [ -f "$node_prefix/include/node/node.h" ]; then export npm_config_nodedir="$node_prefix"; fi',
    ...steps.map(renderStep),
    ...(options.compilerCache ? compilerCacheSummary() : []),
  ].join('\n');
}
