// Image references as the docker CLI reads them: [registry[:port]/]repository[:tag][@sha256:…].
import { isDigest, type Digest } from './digest.js';

export interface ImageReference {
  /** host[:port]; docker.io for Docker Hub. */
  readonly registry: string;
  /** The repository path inside the registry (library/<name> for Docker Hub's official images). */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: Digest;
}

export const DOCKER_HUB = 'docker.io';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** Why `raw` is not an image reference, or undefined when it is one. */
export function referenceProblem(raw: string): string | undefined {
  const parsed = parse(raw);
  return 'problem' in parsed ? parsed.problem : undefined;
}

/** Parses a reference; throws an Error saying what is wrong (callers wrap it in their own error kind). */
export function parseReference(raw: string): ImageReference {
  const parsed = parse(raw);
  if ('problem' in parsed) throw new Error(`${JSON.stringify(raw)} is not an image reference: ${parsed.problem}`);
  return parsed;
}

function parse(raw: string): ImageReference | { problem: string } {
  if (raw === '' || /\s/.test(raw)) return { problem: 'it is empty or contains white space' };
  if (/^[a-z]+:\/\//.test(raw)) return { problem: 'it has a URL scheme; write host/repository:tag' };
  let rest = raw;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const value = rest.slice(at + 1);
    if (!isDigest(value)) return { problem: `the digest ${JSON.stringify(value)} is not sha256:<64 lowercase hex digits>` };
    digest = value;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    if (!TAG.test(tag)) return { problem: `the tag ${JSON.stringify(tag)} is not valid (letters, digits, _ . -, at most 128, not starting with . or -)` };
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  const registry = hasRegistry ? first : DOCKER_HUB;
  let repository = hasRegistry ? rest.slice(slash + 1) : rest;
  if (hasRegistry && !HOST.test(registry)) return { problem: `the registry ${JSON.stringify(registry)} is not a host[:port]` };
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  const bad = repository.split('/').find((c) => !COMPONENT.test(c));
  if (bad !== undefined) return { problem: `the repository part ${JSON.stringify(bad)} is not valid (lowercase letters, digits and . _ - separators)` };
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The reference written back out; Docker Hub names keep their registry, so a reference never changes meaning. */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The host the registry API answers at (Docker Hub's API is not at docker.io). */
export function registryHost(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
}

/** Loopback registries speak plain HTTP without configuration, as the docker engine allows for 127.0.0.0/8. */
export function isLoopback(registry: string): boolean {
  const host = registry.replace(/:[0-9]+$/, '').replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1';
}
