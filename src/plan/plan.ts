// Pure: normalised config + selection → tasks. No Docker, no filesystem, no network.
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { architecture, defaultBuildImage, hostArchitecture, type Architecture, type ArchName } from '../runtimes.js';
import { didYouMean } from '../config/suggest.js';
import type { ArtifactConfig, ProjectConfig } from '../config/types.js';
import { officialRecipeFor, recipeFor } from './recipes.js';
import type { ImageChoice, Plan, RequestedStrategy, Task } from './types.js';

export interface Selection {
  /** Artifact names to build; empty = all. */
  readonly names?: readonly string[];
  /** Only these architectures; undefined = each artifact's own. */
  readonly arch?: ArchName;
  /** Overrides the config's outDir (absolute). */
  readonly outDir?: string;
  /**
   * The engine each target architecture builds on, and the machine it runs on (learnt from the
   * engine); an architecture left out builds on this machine's architecture, engine unnamed.
   */
  readonly engines?: Readonly<Partial<Record<ArchName, EngineChoice>>>;
  readonly strategy?: RequestedStrategy;
}

export interface EngineChoice {
  /** How the plan shows it: the address, and where it came from. */
  readonly name: string;
  /** The machine it runs on; unknown when it did not answer (this machine's is assumed). */
  readonly host?: ArchName;
}

export function chooseImage(config: ProjectConfig, artifact: ArtifactConfig, arch: Architecture): ImageChoice | null {
  if (artifact.builder === 'copy') return null;
  const configured = artifact.images[arch.name];
  if (configured) return { kind: 'reference', ref: configured, origin: 'config' };
  if (config.imageSet === 'local') {
    const recipe = recipeFor(artifact.runtime, artifact.builder);
    if (!recipe) {
      throw new ConfigError('NO_LOCAL_IMAGE',
        `${config.file}: field "imageSet": there is no offline local image for ${artifact.runtime.id} (needed by "${artifact.name}"). ` +
        `Set images.${artifact.runtime.id} to an image you have, or use imageSet: official.`, { file: config.file, field: 'imageSet' });
    }
    return { kind: 'recipe', recipe, origin: 'local' };
  }
  const official = officialRecipeFor(artifact.runtime, artifact.builder);
  if (official) return { kind: 'recipe', recipe: official, origin: 'official' };
  return { kind: 'reference', ref: defaultBuildImage(artifact.runtime, arch), origin: 'official' };
}

function selectArtifacts(config: ProjectConfig, names: readonly string[]): ArtifactConfig[] {
  if (names.length === 0) return [...config.artifacts];
  const known = config.artifacts.map((a) => a.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new ConfigError('UNKNOWN_FUNCTION',
      `No function or layer named ${unknown.map((n) => `"${n}"`).join(', ')} in ${config.file}.${didYouMean(unknown[0]!, known)} ` +
      `Known names: ${known.join(', ')}.`, { file: config.file });
  }
  return config.artifacts.filter((a) => names.includes(a.name));
}

export function plan(config: ProjectConfig, selection: Selection = {}): Plan {
  const outDir = selection.outDir ?? config.outDir;
  const local = hostArchitecture()?.name ?? 'x86_64';
  const tasks: Task[] = [];
  for (const artifact of selectArtifacts(config, selection.names ?? [])) {
    for (const arch of artifact.architectures) {
      if (selection.arch && arch.name !== selection.arch) continue;
      const engine = selection.engines?.[arch.name];
      const host = architecture(engine?.host ?? local);
      tasks.push({
        id: `${artifact.name}-${arch.name}`,
        artifact,
        arch,
        image: chooseImage(config, artifact, arch),
        output: path.join(outDir, `${artifact.name}-${arch.name}.zip`),
        host,
        engine: engine?.name,
        hostImage: arch === host ? null : chooseImage(config, artifact, host),
        requestedStrategy: selection.strategy ?? 'auto',
      });
    }
  }
  if (tasks.length === 0) {
    throw new ConfigError('NOTHING_SELECTED',
      `Nothing to build: no selected function or layer is configured for ${selection.arch}. ` +
      `Add ${selection.arch} to its "architectures" in ${config.file}, or choose another --arch.`, { file: config.file });
  }
  return { outDir, tasks };
}
