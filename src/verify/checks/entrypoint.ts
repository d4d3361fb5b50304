// BOOTSTRAP_MISSING and NOT_EXECUTABLE: a provided.* function needs an executable bootstrap at the
// root (or from a layer), and every file in a layer's bin/ must be executable by Lambda's user.
import { finding, type Finding } from '../findings.js';
import { FUNCTION_ROOT, LAYER_ROOT, type PackageEntry } from '../package-tree.js';
import { formatMode } from '../../zip/read/modes.js';
import type { CheckContext } from './context.js';

/** Why Lambda's runtime user could not execute this entry, or undefined when it can. */
function notExecutableReason(entry: PackageEntry): string | undefined {
  if (entry.mode === undefined) return 'the zip records no Unix mode for it (zipped on Windows?), so it is extracted without the exec bit';
  if ((entry.mode & 0o001) === 0) return `mode ${formatMode(entry.mode)} lacks the exec bit for others, and Lambda runs your code as another user`;
  return undefined;
}

export function checkBootstrap({ runtime, layer, filesystem, tree }: CheckContext): Finding[] {
  if (layer || runtime.family !== 'provided') return [];
  for (const root of [FUNCTION_ROOT, LAYER_ROOT]) {
    const found = filesystem.resolve(`${root}/bootstrap`);
    if (found?.entry.kind !== 'file') continue;
    const reason = notExecutableReason(found.entry);
    if (!reason) return [];
    const where = root === FUNCTION_ROOT ? '' : ` (from layer ${found.tree.label})`;
    return [finding('NOT_EXECUTABLE', 'bootstrap', `bootstrap${where}: ${reason}`)];
  }
  const nested = tree.entries.find((e) => e.kind === 'file' && e.path?.endsWith('/bootstrap'));
  const hint = nested ? `; found ${nested.path}, which is not at the root` : '';
  return [finding('BOOTSTRAP_MISSING', 'bootstrap', `${runtime.id} runs the file bootstrap at the root of the zip or of a layer, and there is none${hint}`)];
}

export function checkLayerExecutables({ layer, tree }: CheckContext): Finding[] {
  if (!layer) return [];
  const findings: Finding[] = [];
  for (const entry of tree.entries) {
    if (entry.kind !== 'file' || !entry.path?.startsWith('bin/')) continue;
    const reason = notExecutableReason(entry);
    if (reason) findings.push(finding('NOT_EXECUTABLE', entry.name, `${entry.path} is on PATH as /opt/${entry.path}, but ${reason}`));
  }
  return findings;
}
