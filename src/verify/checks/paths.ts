// UNSAFE_PATH and UNREADABLE_FILE: entry names and symlinks that escape the package, and modes
// that keep Lambda's runtime user from reading a file or entering a directory.
import { posix } from 'node:path';
import { finding, type Finding } from '../findings.js';
import { relativeTo, unsafeNameReason } from '../package-tree.js';
import { formatMode } from '../../zip/read/modes.js';
import type { CheckContext } from './context.js';

export function checkPaths({ tree }: CheckContext): Finding[] {
  const findings: Finding[] = [];
  for (const entry of tree.entries) {
    const reason = unsafeNameReason(entry.name);
    if (reason) {
      findings.push(finding('UNSAFE_PATH', entry.name, `entry name ${reason}; unzip tools refuse it or write outside the package`));
      continue;
    }
    if (entry.kind === 'symlink' && entry.target !== undefined && entry.path !== undefined) {
      const escaped = symlinkEscape(tree.root, entry.path, entry.target);
      if (escaped) findings.push(finding('UNSAFE_PATH', entry.name, `symlink to ${JSON.stringify(entry.target)} ${escaped}`));
    }
  }
  return findings;
}

function symlinkEscape(root: string, path: string, target: string): string | undefined {
  if (target.includes('\\')) return 'contains a backslash';
  const resolved = posix.resolve(posix.join(root, posix.dirname(path)), target);
  if (resolved === root || relativeTo(root, resolved) !== undefined) return undefined;
  return `points outside the package (resolves to ${resolved}, outside ${root})`;
}

export function checkReadable({ tree }: CheckContext): Finding[] {
  const findings: Finding[] = [];
  for (const entry of tree.entries) {
    if (entry.mode === undefined || entry.kind === 'symlink') continue;
    const needed = entry.kind === 'directory' ? 0o005 : 0o004;
    if ((entry.mode & needed) === needed) continue;
    const what = entry.kind === 'directory' ? 'directory is not readable and searchable' : 'file is not readable';
    findings.push(finding('UNREADABLE_FILE', entry.name, `mode ${formatMode(entry.mode)}: ${what} by others, and Lambda runs your code as another user`));
  }
  return findings;
}
