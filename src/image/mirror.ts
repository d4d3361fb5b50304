// imageMirror: where to get the official public.ecr.aws images instead, as an ECR pull-through cache
// rule for public.ecr.aws serves them (<account>.dkr.ecr.<region>.amazonaws.com/ecr-public/lambda/nodejs:22).
import { referenceProblem } from './reference.js';

export const OFFICIAL_REGISTRY = 'public.ecr.aws';

/**
 * Proposed config shape: `imageMirror: <prefix>` or `imageMirror: { prefix, images }`.
 *   imageMirror: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public
 *   imageMirror:
 *     prefix: registry.corp.example/public-ecr
 *     images: { public.ecr.aws/lambda/provided: registry.corp.example/lambda/provided }
 */
export interface ImageMirror {
  /** Replaces `public.ecr.aws` at the start of every official image reference. */
  readonly prefix?: string;
  /**
   * Per image, ahead of the prefix: a key names a whole reference (`public.ecr.aws/lambda/nodejs:22-arm64`,
   * replaced as it is) or a repository (`public.ecr.aws/lambda/nodejs`, whose tag or digest is kept).
   */
  readonly images?: Readonly<Record<string, string>>;
}

/** Splits `repo:tag@digest` into the repository and the rest (":tag", "@sha256:…", or both). */
function splitRepository(ref: string): { repository: string; suffix: string } {
  const at = ref.indexOf('@');
  const beforeDigest = at >= 0 ? ref.slice(0, at) : ref;
  const colon = beforeDigest.lastIndexOf(':');
  const end = colon > beforeDigest.lastIndexOf('/') ? colon : beforeDigest.length;
  return { repository: ref.slice(0, end), suffix: ref.slice(end) };
}

/** The reference lambda-pack pulls instead of `ref`: an override, else the prefix for an official image, else `ref` itself. */
export function mirrorImage(ref: string, mirror: ImageMirror | undefined): string {
  if (!mirror) return ref;
  const exact = mirror.images?.[ref];
  if (exact !== undefined) return exact;
  const { repository, suffix } = splitRepository(ref);
  const byRepository = mirror.images?.[repository];
  if (byRepository !== undefined) return `${byRepository}${suffix}`;
  if (mirror.prefix !== undefined && ref.startsWith(`${OFFICIAL_REGISTRY}/`)) return `${mirror.prefix}${ref.slice(OFFICIAL_REGISTRY.length)}`;
  return ref;
}

/** What is wrong with a mirror prefix (for the config's error message), or undefined when it is usable. */
export function mirrorPrefixProblem(prefix: string): string | undefined {
  if (/^[a-z]+:\/\//.test(prefix)) return 'it must not have a URL scheme: write host[:port][/path], e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public';
  if (prefix.endsWith('/')) return 'it must not end with /';
  if (!prefix.includes('.') && !prefix.includes(':') && !prefix.startsWith('localhost')) return 'it must start with a registry host (with a dot or a port, or localhost)';
  const problem = referenceProblem(`${prefix}/lambda/nodejs:22`);
  return problem && `it does not make valid references: ${problem}`;
}
