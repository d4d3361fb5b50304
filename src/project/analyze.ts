// The host-side reading of an artifact, once per artifact (not per architecture): its source
// listed, its builder's analysis of the manifests, and the content hashes its keys need.
import { builderFor } from '../builders/index.js';
import { hashEntries, hashValue } from '../cache/hash.js';
import type { ArtifactConfig } from '../config/types.js';
import { ConfigError } from '../errors.js';
import type { HostFacts } from '../host.js';
import { shippedEntries } from '../package/contents.js';
import { walkSource } from '../package/sources.js';
import type { ArtifactAnalysis } from '../plan/task-plan.js';

export async function analyzeArtifact(artifact: ArtifactConfig, host: HostFacts): Promise<ArtifactAnalysis> {
  const builder = builderFor(artifact.builder);
  // The install sees the whole source it needs (a local addon may be excluded from shipping);
  // `exclude` applies to the zip.
  const entries = await walkSource(artifact.source, { artifact: artifact.name });
  if (!entries.some((e) => e.kind === 'file')) {
    throw new ConfigError('SOURCE_EMPTY', `Function "${artifact.name}": ${artifact.source} contains no files to package. Put the function's code there, or fix "source" in the config.`, { file: artifact.source });
  }
  const analysis = await builder.analyze(artifact, entries, host);
  const skip = [...analysis.installOnly, ...artifact.exclude];
  const shipped = analysis.shipsSource ? shippedEntries({ prefix: analysis.sourcePath, entries: analysis.shippedEntries ?? entries, skip }) : undefined;
  const generated = analysis.generatedInputs ?? [];
  return {
    analysis,
    inputsHash: generated.length ? hashValue({ entries: await hashEntries(analysis.installInputs), generated }) : await hashEntries(analysis.installInputs),
    ...(shipped ? { shipped: { entries: shipped, skip, hash: await hashEntries(shipped) } } : {}),
  };
}
