// When a cross build's failure is worth an emulated rebuild. The emulated build of the same task
// costs five to ten times the cross one, so it runs only for failures the build machine's
// architecture can cause: a compiler or an install script that ran on the wrong CPU, a binary of
// the wrong machine, a loader that refused it. A failure that any architecture would hit (the
// registry, the network, certificates, the lockfile, a handler that is not in the zip, a secret,
// the size) fails the task at once, in its own words.
import type { Finding } from '../verify/findings.js';

/** Error findings no build architecture causes: an emulated build of the same task is refused alike. */
const BLIND_TO_ARCHITECTURE: ReadonlySet<string> = new Set([
  'HANDLER_NOT_FOUND', 'SECRET_FILE', 'UNSAFE_PATH', 'UNREADABLE_FILE', 'UNZIPPED_TOO_LARGE', 'IMAGE_TOO_LARGE',
  // A macOS or Windows binary ships from the package as it is, whatever builds it.
  'NOT_LINUX_BINARY',
]);

/**
 * The error finding that refuses a cross build and sends it to the emulated one; undefined when
 * there is none, or when one of the errors would refuse the emulated build as well.
 */
export function refusalWorthEmulating(findings: readonly Finding[]): Finding | undefined {
  const errors = findings.filter((f) => f.severity === 'error');
  return errors.some((f) => BLIND_TO_ARCHITECTURE.has(f.code)) ? undefined : errors[0];
}

/**
 * Lines of a failed install that say the failure is not the architecture's: the package
 * manager could not reach, trust or resolve what it was asked for. npm's error codes (npm 7+
 * `npm error code X`, older `npm ERR! code X`), pip's hash check, cargo's fetch, and the name
 * resolution and TLS messages every downloader prints. pip's "no matching distribution" is not
 * one: a cross install asks for the target's wheels, and an emulated one may build the sdist.
 */
const EVERY_ARCHITECTURE: readonly RegExp[] = [
  /npm (?:error|ERR!) code (?:E404|E401|E403|ETARGET|ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|EINTEGRITY|ERESOLVE|EUSAGE|ENOLOCK|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_HAS_EXPIRED|DEPTH_ZERO_SELF_SIGNED_CERT)\b/,
  /npm (?:error|ERR!) `npm ci` can only install packages when your package\.json and package-lock\.json/,
  /ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE/,
  /CERTIFICATE_VERIFY_FAILED|certificate verify failed/,
  /Temporary failure in name resolution|Could not resolve host/,
  /error: failed to (?:get `[^`]+` as a dependency|download from)/,
];

/** The install log's line that shows the failure is the same on every architecture, if any. */
export function failsOnEveryArchitecture(logTail: string): string | undefined {
  return logTail.split('\n').map((line) => line.trim()).find((line) => EVERY_ARCHITECTURE.some((pattern) => pattern.test(line)));
}
