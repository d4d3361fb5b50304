// `lambda-pack invoke NAME`: finds the function's built zip and its layers' zips (config and
// <outDir>/manifest.json), runs it once as Lambda would, prints the response on stdout and the
// function's logs on stderr. Exit 0 with a response, 1 when the function or its init failed.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { cacheRoot } from '../cache/location.js';
import { loadProject } from '../template/project.js';
import type { ArtifactConfig, ProjectConfig } from '../config/types.js';
import { didYouMean } from '../config/suggest.js';
import { Engines } from '../docker/engines.js';
import { removeRunContainers } from '../docker/container.js';
import { MANIFEST_NAME, readManifest, type ArtifactRecord } from '../package/manifest.js';
import { architecture, type ArchName } from '../runtimes.js';
import { invoke } from '../load/invoke.js';
import { runtimeImage } from '../load/runtime-image.js';
import { EXIT, UsageError } from './errors.js';
import type { IO } from './commands.js';

export interface InvokeCommandOptions {
  arch?: ArchName;
  event?: string;
  out?: string;
  config?: string;
  json?: boolean;
}

function findFunction(config: ProjectConfig, name: string): ArtifactConfig {
  const artifact = config.artifacts.find((a) => a.name === name);
  const functions = config.artifacts.filter((a) => a.kind === 'function').map((a) => a.name);
  if (!artifact) throw new UsageError('UNKNOWN_FUNCTION', `${config.file} has no function named "${name}".${didYouMean(name, functions)} Its functions: ${functions.join(', ') || 'none'}.`, { file: config.file });
  if (artifact.kind !== 'function') throw new UsageError('NOT_A_FUNCTION', `"${name}" is a layer in ${config.file}; invoke calls a function (one that uses it: ${config.artifacts.filter((a) => a.layers.includes(name)).map((a) => a.name).join(', ') || 'none'}).`, { file: config.file });
  return artifact;
}

async function readEvent(file: string | undefined, io: IO): Promise<string> {
  if (file === undefined) return '{}';
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(path.resolve(io.cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError('EVENT_UNREADABLE', `--event ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, { file, fix: 'pass a JSON file with the event' }, { cause: error });
  }
  try { JSON.parse(text); } catch (error) {
    throw new UsageError('EVENT_NOT_JSON', `--event ${file} is not JSON: ${(error as Error).message}`, { file, fix: 'write the event as a JSON document, e.g. {"numbers": [1, 2]}' }, { cause: error });
  }
  return text;
}

/** The built zip of `name` for `arch`, from the manifest, with the command that builds it when missing. */
function builtZip(records: readonly ArtifactRecord[] | undefined, outDir: string, name: string, kind: 'function' | 'layer', arch: ArchName, forFunction: string): string {
  const build = `lambda-pack build ${forFunction} --arch ${arch}`;
  const manifest = path.join(outDir, MANIFEST_NAME);
  if (!records) throw new UsageError('NOT_BUILT', `${manifest} does not exist: nothing has been built into ${outDir} yet. Build the function first: ${build}`, { file: manifest, fix: build });
  const record = records.find((r) => r.name === name && r.kind === kind && r.arch === arch);
  const zip = record && path.join(outDir, record.path);
  if (!zip) throw new UsageError('NOT_BUILT', `${manifest} lists no ${kind} "${name}" for ${arch}: it has not been built for that architecture. Build it: ${build}`, { file: manifest, fix: build });
  if (!existsSync(zip)) throw new UsageError('NOT_BUILT', `${zip} (listed in ${manifest}) does not exist. Build it again: ${build}`, { file: zip, fix: build });
  return zip;
}

export async function invokeCommand(name: string, options: InvokeCommandOptions, io: IO): Promise<number> {
  const { config } = await loadProject({ cwd: io.cwd, configFile: options.config, host: io.host });
  const fn = findFunction(config, name);
  const archName = options.arch ?? fn.architectures[0]!.name;
  if (!fn.architectures.some((a) => a.name === archName)) {
    throw new UsageError('ARCH_NOT_BUILT', `"${name}" is built for ${fn.architectures.map((a) => a.name).join(', ')} only (${config.file}), not ${archName}.`, { file: config.file, fix: `pass --arch ${fn.architectures[0]!.name}, or add ${archName} to its architectures` });
  }
  const outDir = options.out ? path.resolve(io.cwd, options.out) : config.outDir;
  const records = (await readManifest(outDir))?.artifacts;
  const zip = builtZip(records, outDir, name, 'function', archName, name);
  const layers = fn.layers.map((layer) => builtZip(records, outDir, layer, 'layer', archName, name));
  const event = await readEvent(options.event, io);

  const arch = architecture(archName);
  const engines = new Engines(config.docker, io.env, { downloads: path.join(cacheRoot(io.host), 'downloads'), progress: (line) => io.stderr.write(`${line}\n`) });
  const engine = await engines.forArch(archName);
  // An image function runs its own image (loaded into the engine, or pulled by its pushed URI).
  const built = records?.find((r) => r.name === name && r.kind === 'function' && r.arch === archName)?.containerImage;
  const image = built
    ? await (await engines.images(archName)).resolve({ kind: 'reference', ref: built.uri ?? `${built.repository}:${built.tag}`, origin: 'config' }, arch)
    : await runtimeImage(await engines.images(archName), fn.runtime, arch, config.imageSet, `${config.file}: imageSet`);
  const runId = randomBytes(6).toString('hex');
  let result: Awaited<ReturnType<typeof invoke>>;
  try {
    result = await invoke({
      engine, image: image.ref, arch, runtime: fn.runtime, handler: fn.handler, code: built ? { kind: 'image' } : { kind: 'zip', zip, layers },
      event, functionName: name, runId, signal: io.signal, onLog: options.json ? undefined : (line) => io.stderr.write(`${line}\n`),
    });
  } finally {
    await removeRunContainers(engine, runId).catch(() => 0);
  }
  if (options.json) {
    const body = result.outcome === 'response' ? { response: parsed(result.body) }
      : result.outcome === 'function-error' ? { error: result.error } : { initError: result.finding };
    io.stdout.write(`${JSON.stringify({ ok: result.outcome === 'response', function: name, arch: archName, ...body, logs: result.logs, durationMs: result.durationMs }, null, 2)}\n`);
  } else if (result.outcome === 'response') {
    io.stdout.write(`${result.body}\n`);
  } else if (result.outcome === 'function-error') {
    io.stdout.write(`${JSON.stringify({ errorType: result.error.errorType, errorMessage: result.error.errorMessage, trace: result.error.trace })}\n`);
    io.stderr.write(`lambda-pack: ${name} (${archName}) failed: ${result.error.errorType}: ${result.error.errorMessage}\n`);
  } else {
    io.stderr.write(`lambda-pack: ${name} (${archName}) did not start: ${result.finding.message}\n  fix: ${result.finding.fix}\n`);
  }
  return result.outcome === 'response' ? EXIT.ok : EXIT.failed;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parsed(body: string): unknown {
  try { return JSON.parse(body); } catch { return body; }
}
