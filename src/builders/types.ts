// What a builder is: what to check in the source, what to send into the container, what to run
// there, what to copy out and which build intermediates never ship.
import type { BuilderName } from '../config/schema.js';
import type { ArtifactConfig } from '../config/types.js';
import type { SourceEntry } from '../package/sources.js';
import type { Task } from '../plan/types.js';

/** Fixed container paths: builds happen in the same place every time, so outputs do not vary. */
export const CONTAINER = {
  build: '/build',
  support: '/lambda-pack',
  caBundle: '/lambda-pack/extra-ca.pem',
  home: '/tmp/lambda-pack-home',
} as const;

export interface Builder {
  readonly name: BuilderName;
  /** Whether it runs an install in a container (false: the source is packaged as it is). */
  readonly needsContainer: boolean;
  /** Checks the source before anything runs; throws ConfigError naming the file and the fix. */
  check(artifact: ArtifactConfig, entries: readonly SourceEntry[]): void;
  /** The shell commands (already quoted) that install the dependencies in CONTAINER.build. */
  installCommands(task: Task): readonly string[];
  /** Container directory holding the install's result, and where it lands in the package. */
  output(task: Task): { readonly containerPath: string; readonly packagePath: string };
  /** Whether a path of the copied-out tree (relative to its root) ships. */
  keepOutput(relPath: string): boolean;
  /** Source paths (globs) used by the install but never packaged. */
  readonly installOnly: readonly string[];
}
