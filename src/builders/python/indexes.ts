// Where locked packages are downloaded from, and how credentials reach pip in the container
// without passing through anything lambda-pack writes: index URLs keep `${VAR}` references (pip
// expands them from the container's environment, which passEnv fills), and the tools' own
// credential variables (uv's UV_INDEX_<NAME>_USERNAME/PASSWORD, Poetry's
// POETRY_HTTP_BASIC_<NAME>_USERNAME/PASSWORD) become a netrc file written inside the container
// from those variables (never copied out, never shipped). A netrc the config names is copied in.
import { ConfigError } from '../../errors.js';
import type { LockFormat, LockIndex } from './lock-types.js';

/** PyPI itself: packages locked from it come from pip's configured default index (PIP_INDEX_URL, pip.conf), which is PyPI unless a mirror is set. */
export function isPyPI(url: string): boolean {
  return /^https?:\/\/(pypi\.org|pypi\.python\.org)\/simple\/?$/i.test(url);
}

export interface IndexCredential {
  /** The host name a netrc `machine` line matches (no port). */
  readonly host: string;
  readonly usernameVariable: string;
  readonly passwordVariable: string;
}

export interface ResolvedIndex {
  /** The URL for pip's --index-url (may hold `${VAR}`); undefined: pip's own default index. */
  readonly url?: string;
  readonly name?: string;
  readonly credential?: IndexCredential;
  /** An http:// index: pip ignores it unless told to trust its host (hashes still check every file). */
  readonly trustedHost?: string;
}

/** The `${VAR}` names a URL refers to. */
export function urlVariables(url: string): string[] {
  return [...url.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);
}

/** A URL fit for messages and plans: literal user info replaced (`${VAR}` references stay, they hold nothing). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@]*)@/i, (whole, scheme: string, userinfo: string) =>
    (userinfo.split(':').every((part) => part === '' || /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(part)) ? whole : `${scheme}***@`));
}

function envName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** The variables a tool reads an index's credentials from. */
export function credentialVariables(format: LockFormat, indexName: string): [string, string] | undefined {
  if (format === 'uv.lock') return [`UV_INDEX_${envName(indexName)}_USERNAME`, `UV_INDEX_${envName(indexName)}_PASSWORD`];
  if (format === 'poetry.lock') return [`POETRY_HTTP_BASIC_${envName(indexName)}_USERNAME`, `POETRY_HTTP_BASIC_${envName(indexName)}_PASSWORD`];
  return undefined; // Pipenv puts ${VAR} references into the source URL itself
}

/**
 * How pip reaches one index a lockfile names. `passEnv` and `env` are the task's variable names
 * (values are never needed here). Throws ConfigError for credentials written into the lockfile and
 * for a credential variable that does not reach the build.
 */
export function resolveIndex(index: LockIndex, format: LockFormat, known: readonly LockIndex[], names: { passEnv: readonly string[]; env: readonly string[] }, file: string): ResolvedIndex {
  if (isPyPI(index.url)) return {};
  if (redactUrl(index.url) !== index.url) {
    throw new ConfigError('CREDENTIALS_IN_LOCKFILE', `${file} names the index ${redactUrl(index.url)} with a user name or password written into its URL: it would reach the plan and the cache key. Remove them from the URL and pass them through passEnv (${format === 'Pipfile.lock' ? 'write ${VARIABLE} references into the Pipfile source URL' : 'the tool\'s credential variables'}).`, { file, fix: 'credentials through passEnv' });
  }
  const reachable = new Set([...names.passEnv, ...names.env]);
  const missing = urlVariables(index.url).filter((v) => !reachable.has(v));
  if (missing.length) {
    throw new ConfigError('INDEX_VARIABLE_UNSET', `${file} names the index ${index.url}, which refers to \${${missing[0]}}, but the build does not get ${missing[0]}. Add it to passEnv.`, { field: 'passEnv', fix: `passEnv: [${missing.join(', ')}]` });
  }
  const name = index.name ?? known.find((k) => k.url.replace(/\/+$/, '') === index.url.replace(/\/+$/, ''))?.name;
  // A URL that is all variables (Pipenv's url = "${INDEX}") has no host known before the build.
  const parsed = URL.canParse(index.url) ? new URL(index.url) : undefined;
  const url = { url: index.url, ...(name ? { name } : {}), ...(parsed?.protocol === 'http:' ? { trustedHost: parsed.host } : {}) };
  const variables = name ? credentialVariables(format, name) : undefined;
  if (!variables) return url;
  const given = variables.filter((v) => names.passEnv.includes(v));
  if (given.length === 0) return url;
  if (given.length === 1) {
    const absent = variables.find((v) => !given.includes(v))!;
    throw new ConfigError('INDEX_CREDENTIALS_INCOMPLETE', `passEnv names ${given[0]} for the index "${name}" of ${file}, but not ${absent}: pip needs both. Add ${absent} to passEnv.`, { field: 'passEnv', fix: `add ${absent}` });
  }
  if (!parsed) throw new ConfigError('INDEX_URL_INVALID', `${file} names the index "${name}" with the URL ${index.url}, which is not a URL. Fix it and lock again.`, { file });
  return { ...url, credential: { host: parsed.hostname, usernameVariable: variables[0], passwordVariable: variables[1] } };
}

/**
 * The program that writes the netrc inside the container from the credential variables (and from
 * a netrc the config names, copied in first). argv: <netrc path> <base netrc or ""> (<host> <user var> <password var>)…
 */
export const NETRC_PROGRAM = String.raw`
import os, sys
target, base, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
lines = []
if base:
    with open(base) as f:
        lines.append(f.read().rstrip('\n'))
for host, user, password in zip(rest[0::3], rest[1::3], rest[2::3]):
    values = [os.environ.get(user), os.environ.get(password)]
    if None in values:
        sys.exit('lambda-pack: %s is not set in the build environment' % (user if values[0] is None else password))
    if any(c.isspace() or c == '"' for c in values[0] + values[1]):
        sys.exit('lambda-pack: the credentials for %s contain white space or quotes, which a netrc file cannot hold' % host)
    lines.append('machine %s login %s password %s' % (host, values[0], values[1]))
fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, 'w') as f:
    f.write('\n'.join(lines) + '\n')
`;
