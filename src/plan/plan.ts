// Pure: normalised config + selection → tasks, then tasks placed on the engines that build them.
// No Docker, no filesystem, no network.
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { architecture, defaultBuildImage, type Architecture, type ArchName } from '../runtimes.js';
import { didYouMean } from '../config/suggest.js';
import type { ArtifactConfig, ProjectConfig } from '../config/types.js';
import { builderFor } from '../builders/index.js';
import { officialCrossRecipeFor, officialRecipeFor, recipeFor } from '../recipes.js';
import type { ImageChoice, ImageTarget, PlacedTask, RequestedStrategy, Selection, Task } from './types.js';
import { runtimeImageChoice } from './runtime-image.js';
import { mirrorImage } from '../image/mirror.js';

export function chooseImage(config: ProjectConfig, artifact: ArtifactConfig, arch: Architecture): ImageChoice | null {
  if (!builderFor(artifact.builder).needsContainer) return null;
  const configured = artifact.images[arch.name];
  if (configured) return { kind: 'reference', ref: configured, origin: 'config' };
  if (config.imageSet === 'local') {
    const recipe = recipeFor(artifact.runtime);
    if (!recipe) {
      throw new ConfigError('NO_LOCAL_IMAGE',
        `${config.file}: field "imageSet": there is no offline local image for ${artifact.runtime.id} (needed by "${artifact.name}"). ` +
        `Set images.${artifact.runtime.id} to an image you have, or use imageSet: official.`, { file: config.file, field: 'imageSet' });
    }
    return { kind: 'recipe', recipe, origin: 'local' };
  }
  const official = officialRecipeFor(artifact.runtime, artifact.builder);
  if (official) return { kind: 'recipe', recipe: official, origin: 'official' };
  return { kind: 'reference', ref: mirrorImage(defaultBuildImage(artifact.runtime, arch), config.imageMirror), origin: 'official' };
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

/** The tasks of a selection: every selected artifact × each of its architectures. */
export function plan(config: ProjectConfig, selection: Selection = {}): Task[] {
  const outDir = selection.outDir ?? config.outDir;
  const tasks: Task[] = [];
  for (const artifact of selectArtifacts(config, selection.names ?? [])) {
    for (const arch of artifact.architectures) {
      if (selection.arch && arch.name !== selection.arch) continue;
      tasks.push({ id: `${artifact.name}-${arch.name}`, artifact, arch, output: path.join(outDir, `${artifact.name}-${arch.name}.zip`) });
    }
  }
  if (tasks.length === 0) {
    throw new ConfigError('NOTHING_SELECTED',
      `Nothing to build: no selected function or layer is configured for ${selection.arch}. ` +
      `Add ${selection.arch} to its "architectures" in ${config.file}, or choose another --arch.`, { file: config.file });
  }
  return tasks;
}

/** The architectures whose engines a set of tasks needs (tasks that install something). */
export function enginesNeeded(tasks: readonly Task[]): ArchName[] {
  return [...new Set(tasks.filter((t) => builderFor(t.artifact.builder).needsContainer).map((t) => t.arch.name))];
}

/** What is known of the engine that builds each architecture: how to name it, and its machine. */
export type EngineFacts = Readonly<Partial<Record<ArchName, { readonly name: string; readonly arch?: ArchName }>>>;

/** The runtime image of a function: its image function's base, or what its load check runs in. */
function runtimeImageOf(config: ProjectConfig, task: Task, why: string): ImageChoice {
  const choice = runtimeImageChoice(task.artifact.runtime, task.arch, config.imageSet, config.imageMirror);
  if (!choice) {
    throw new ConfigError('NO_LOCAL_RUNTIME_IMAGE',
      `${config.file}: field "imageSet": there is no offline stand-in of the ${task.artifact.runtime.id} runtime image, so "${task.artifact.name}" ${why}. ` +
      `Use imageSet: official (with imageMirror when public.ecr.aws is out of reach), or ${task.artifact.packageType === 'image' ? 'another runtime' : 'set loadCheck: false on the function (or run with --no-load-check)'}.`, { file: config.file, field: 'imageSet' });
  }
  return choice;
}

function imageTargetOf(config: ProjectConfig, task: Task, push: boolean): ImageTarget | undefined {
  const { artifact } = task;
  if (artifact.packageType !== 'image' || !artifact.imageOutput) return undefined;
  const output = artifact.imageOutput;
  return {
    base: runtimeImageOf(config, task, 'cannot be built as an image'),
    cmd: [artifact.handler ?? 'bootstrap'],
    repository: output.repository,
    ...(output.tag ? { tag: output.tag } : {}),
    push: push || output.push,
  };
}

/**
 * Places each task on the engine of its architecture. An engine whose machine is unknown (it did
 * not answer: its tasks fail later, saying why) is assumed to run on this machine's architecture.
 */
export function placeTasks(config: ProjectConfig, tasks: readonly Task[], engines: EngineFacts, local: Architecture | undefined, requested: RequestedStrategy = 'auto', options: { loadCheck?: boolean; push?: boolean } = {}): PlacedTask[] {
  const loadCheck = options.loadCheck ?? true;
  return tasks.map((task) => {
    const engine = engines[task.arch.name];
    const engineArch = architecture(engine?.arch ?? local?.name ?? 'x86_64');
    const image = chooseImage(config, task.artifact, task.arch);
    const engineImage = image === null || engineArch === task.arch ? null : chooseImage(config, task.artifact, engineArch);
    const crossRecipe = config.officialCrossToolchain === 'zig' && engineImage?.kind === 'reference' && engineImage.origin === 'official' ? officialCrossRecipeFor(task.artifact.runtime, task.artifact.builder) : undefined;
    return {
      ...task,
      engine: { ...(engine ? { name: engine.name } : {}), arch: engineArch },
      image,
      engineImage,
      ...(crossRecipe ? { crossImage: { kind: 'recipe' as const, recipe: crossRecipe, origin: 'official' as const } } : {}),
      requestedStrategy: requested,
      runtimeImage: loadCheck && task.artifact.loadCheck ? runtimeImageOf(config, task, 'cannot be proven to load') : null,
      ...(imageTargetOf(config, task, options.push ?? false) ? { imageTarget: imageTargetOf(config, task, options.push ?? false) } : {}),
    };
  });
}
