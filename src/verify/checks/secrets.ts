// SECRET_FILE: files that must never ship in a Lambda zip: .env files, keystores, package-manager
// and AWS config files that hold credentials, private keys and AWS access keys in any text file.
// Content is read only for text files up to MAX_SCANNED_BYTES. Installed npm packages (anything
// under node_modules/) are checked by name, and credential config files read, but their other
// content is not scanned: it is published code, whose test fixtures carry keys (ssh2 publishes 47),
// and reading all of it would double the time verify takes on a large zip.
import { posix } from 'node:path';
import picomatch from 'picomatch';
import { finding, type Finding } from '../findings.js';
import type { PackageEntry } from '../package-tree.js';
import { accessKeyIn, credentialRulesFor, credentialsIn, privateKeyIn, redact, secretByName, type SecretSighting } from '../secret-patterns.js';
import type { CheckContext } from './context.js';

/** Larger files are not read: keys and config files are small, bundles and data files are not. */
export const MAX_SCANNED_BYTES = 1024 * 1024;
/** As git decides: a NUL byte in the first 8000 bytes makes a file binary. */
const BINARY_SNIFF_BYTES = 8000;

export function checkSecrets(context: CheckContext): Finding[] {
  const allowed = context.allowSecrets.length ? picomatch([...context.allowSecrets], { dot: true }) : () => false;
  const native = new Set(context.binaries.map((b) => b.entry));
  const findings: Finding[] = [];
  for (const entry of context.tree.entries) {
    if (entry.kind !== 'file' || entry.path === undefined || allowed(entry.path)) continue;
    const message = secretIn(entry, entry.path, context, native);
    if (message) findings.push(finding('SECRET_FILE', entry.name, message));
  }
  return findings;
}

/** What makes the file a secret, as a message that names it and never shows more than redact() does. */
function secretIn(entry: PackageEntry, path: string, context: CheckContext, native: ReadonlySet<PackageEntry>): string | undefined {
  const file = JSON.stringify(posix.basename(path));
  const byName = secretByName(path);
  if (byName) return `${file} is ${byName.what}`;
  const rules = credentialRulesFor(path);
  if (!rules && (native.has(entry) || isInstalledPackage(path))) return undefined;
  const text = textOf(entry, context);
  if (text === undefined) return undefined;
  const found = [...(rules ? credentialsIn(rules, text) : []), privateKeyIn(text), accessKeyIn(text)].filter((s): s is SecretSighting => s !== undefined);
  if (found.length === 0) return undefined;
  return `${file} contains ${found.map((s) => (s.value === undefined ? s.what : `${s.what}: ${redact(s.value)}`)).join('; ')}`;
}

function isInstalledPackage(path: string): boolean {
  return path.startsWith('node_modules/') || path.includes('/node_modules/');
}

/** The file's bytes as latin1 (every byte one character: the patterns are ASCII), or undefined for binaries and large files. */
function textOf(entry: PackageEntry, context: CheckContext): string | undefined {
  if (entry.size === 0 || entry.size > MAX_SCANNED_BYTES) return undefined;
  const bytes = context.readContent(entry, MAX_SCANNED_BYTES);
  if (!bytes || bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return undefined;
  return bytes.toString('latin1');
}
