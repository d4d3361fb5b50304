// The script a build container runs: a fixed environment for reproducible compiles, extra CA
// certificates when configured, then the builder's commands.
import { CONTAINER } from './types.js';

export const REPRODUCIBLE_ENV: Readonly<Record<string, string>> = {
  SOURCE_DATE_EPOCH: '315532800',
  PYTHONHASHSEED: '0',
  PYTHONDONTWRITEBYTECODE: '1',
  // Debug info and __FILE__ would otherwise carry the build directory.
  CFLAGS: `-ffile-prefix-map=${CONTAINER.build}=.`,
  CXXFLAGS: `-ffile-prefix-map=${CONTAINER.build}=.`,
  LC_ALL: 'C.UTF-8',
  TZ: 'UTC',
  HOME: CONTAINER.home,
  npm_config_update_notifier: 'false',
};

/** Shell lines that trust the extra certificates on top of the image's own bundle. */
function trustExtraCertificates(): string[] {
  const bundle = `${CONTAINER.home}/ca-bundle.pem`;
  return [
    `cat /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt 2>/dev/null > ${bundle} || true`,
    `cat ${CONTAINER.caBundle} >> ${bundle}`,
    `export NODE_EXTRA_CA_CERTS=${CONTAINER.caBundle} SSL_CERT_FILE=${bundle} PIP_CERT=${bundle} REQUESTS_CA_BUNDLE=${bundle} CARGO_HTTP_CAINFO=${bundle} GIT_SSL_CAINFO=${bundle} CURL_CA_BUNDLE=${bundle}`,
  ];
}

export function buildScript(commands: readonly string[], options: { extraCertificates: boolean }): string {
  return [
    'set -eu',
    `mkdir -p ${CONTAINER.home}`,
    // Package-manager caches live in a per-architecture engine volume (docker/volumes.ts), one
    // directory per user: a directory another uid created is not writable.
    `cache_root=${CONTAINER.cache}/$(id -u)`,
    'mkdir -p "$cache_root"',
    'export npm_config_cache="$cache_root/npm" PIP_CACHE_DIR="$cache_root/pip" CARGO_HOME="$cache_root/cargo"',
    ...(options.extraCertificates ? trustExtraCertificates() : []),
    // Node images keep their headers beside the binary; point node-gyp at them (no download).
    'node_prefix=$(dirname "$(dirname "$(command -v node 2>/dev/null || echo /nonexistent/bin/node)")")',
    'if [ -z "${npm_config_nodedir:-}" ] && [ -f "$node_prefix/include/node/node.h" ]; then export npm_config_nodedir="$node_prefix"; fi',
    ...commands,
  ].join('\n');
}
