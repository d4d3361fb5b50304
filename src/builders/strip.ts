// `strip: true`: the ELF files an install leaves in its output lose their debug sections, in the
// container, with the target's binutils, before anything is packaged, verified or load-checked.
// Only debug sections go (`--strip-debug`): the symbol tables that shared objects and Node addons
// are loaded through stay. GNU strip writes the same bytes for the same input.
import type { Architecture } from '../runtimes.js';
import type { InstallStep, StrategyKind } from '../plan/types.js';
import { gnuTriple } from './cross.js';

const SCRIPT = [
  'tool=$1; dir=$2',
  '[ -d "$dir" ] || exit 0',
  'command -v "$tool" >/dev/null || { echo "lambda-pack: strip is set, but this image has no $tool" >&2; exit 127; }',
  'find "$dir" -type f | LC_ALL=C sort | while IFS= read -r file; do',
  '  [ "$(od -An -tx1 -N4 "$file" | tr -d " ")" = 7f454c46 ] || continue',
  '  "$tool" --strip-debug "$file" || { echo "lambda-pack: $tool could not strip $file" >&2; exit 1; }',
  'done',
].join('\n');

/** The strip of the target's binutils: the cross one in a cross build. */
export function stripTool(strategy: StrategyKind, target: Architecture): string {
  return strategy === 'cross' ? `${gnuTriple(target)}-strip` : 'strip';
}

/** The step that strips every ELF file under `output`. */
export function stripStep(output: string, tool: string): InstallStep {
  return {
    run: ['sh', '-c', SCRIPT, 'lambda-pack-strip', tool, output],
    onFailure: 'lambda-pack: stripping the shipped ELF files failed (strip: true); set strip: false to ship them as built.',
  };
}
