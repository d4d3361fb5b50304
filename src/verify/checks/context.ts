// What every check sees: the runtime and architecture, the zip's entries and binaries, its layers.
import type { Architecture, Runtime } from '../../runtimes.js';
import type { BinaryReading } from '../binary/read.js';
import type { Finding } from '../findings.js';
import type { LambdaFilesystem, PackageEntry, PackageTree } from '../package-tree.js';

export interface InspectedBinary {
  readonly entry: PackageEntry;
  readonly reading: BinaryReading;
}

export interface LayerPackage {
  readonly zip: string;
  readonly tree: PackageTree;
  readonly unzippedBytes: number;
}

export interface CheckContext {
  readonly runtime: Runtime;
  readonly arch: Architecture;
  /** The zip is a layer (mounted at /opt), not function code. */
  readonly layer: boolean;
  readonly handler?: string;
  readonly tree: PackageTree;
  readonly layers: readonly LayerPackage[];
  readonly filesystem: LambdaFilesystem;
  /** Native binaries found by magic bytes, except those Lambda never loads (see unused-binaries.ts). */
  readonly binaries: readonly InspectedBinary[];
  /** Entries whose content could not be read, with the reason. */
  readonly unreadable: ReadonlyArray<{ readonly entry: PackageEntry; readonly reason: string }>;
  readonly unzippedBytes: number;
  readonly zippedBytes: number;
  /** Globs (picomatch, dot files included) of entry paths the secrets check leaves alone. */
  readonly allowSecrets: readonly string[];
  /** A small text entry's content (dist-info metadata), or undefined when it cannot be read. */
  readText(entry: PackageEntry): string | undefined;
  /** An entry's bytes, or undefined when it is over `maxBytes` or cannot be read. */
  readContent(entry: PackageEntry, maxBytes: number): Buffer | undefined;
}

export type Check = (context: CheckContext) => Finding[];
