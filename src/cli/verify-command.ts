// `lambda-pack verify <zip…>`: validates the arguments (bad usage throws ConfigError), verifies each
// zip and writes the report: JSON to stdout with --json, human text to stderr otherwise.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { cacheRoot } from '../cache/location.js';
import { ConfigError } from '../errors.js';
import { hostFacts, type HostFacts } from '../host.js';
import { ARCH_NAMES, architecture, findRuntime, isArchName, RUNTIME_IDS } from '../runtimes.js';
import { settleFindings } from '../verify/findings.js';
import { verifyZip, type VerifyResult } from '../verify/index.js';
import { renderHuman, renderJson } from '../verify/report.js';
import { ZipFormatError } from '../zip/read/archive.js';

export interface VerifyCommandOptions {
  runtime: string;
  arch: string;
  layer?: boolean;
  handler?: string;
  /** Comma-separated layer zip paths. */
  layers?: string;
  /** Comma-separated globs of entry paths exempt from SECRET_FILE. */
  allowSecrets?: string;
  json?: boolean;
  /** Also run the load check: Lambda's init in a container of the architecture. */
  load?: boolean;
  /** Which runtime images the load check uses: official (default) or local. */
  imageSet?: string;
}

export interface VerifyCommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** The machine's facts (where the cache is, for --load's images). */
  host?: HostFacts;
}

/** Returns the exit code: 1 when any zip has an error finding, else 0. */
export async function verifyCommand(zips: string[], opts: VerifyCommandOptions, io: VerifyCommandIo): Promise<number> {
  const rt = findRuntime(opts.runtime);
  if (!rt) {
    throw new ConfigError('UNKNOWN_RUNTIME', `unknown runtime "${opts.runtime}"; valid runtimes: ${RUNTIME_IDS.join(', ')}`, { field: '--runtime', fix: `pass one of ${RUNTIME_IDS.join(', ')}` });
  }
  if (!isArchName(opts.arch)) {
    throw new ConfigError('UNKNOWN_ARCH', `unknown architecture "${opts.arch}"; valid: ${ARCH_NAMES.join(', ')}`, { field: '--arch', fix: `pass --arch ${ARCH_NAMES.join(' or --arch ')}` });
  }
  if (zips.length === 0) throw new ConfigError('NO_ZIP', 'no zip file given', { fix: 'lambda-pack verify <zip…> --runtime ID --arch ARCH' });
  const layers = commaList(opts.layers);
  const allowSecrets = commaList(opts.allowSecrets);
  for (const path of [...zips, ...layers]) requireReadableFile(path);
  if (opts.load) requireLoadOptions(opts, rt.family);

  const results: VerifyResult[] = [];
  for (const zip of zips) {
    results.push(await verifyOrExplain(zip, { runtime: rt, arch: architecture(opts.arch), layer: opts.layer, handler: opts.handler, layers, allowSecrets }));
  }
  if (opts.load) {
    // Loaded on demand: only --load needs the engine.
    const { zipLoadChecker } = await import('../load/verify-load.js');
    const host = io.host ?? hostFacts({ env: io.env ?? process.env });
    const checker = zipLoadChecker({ env: host.env, signal: io.signal, imageSet: opts.imageSet === 'local' ? 'local' : 'official', downloads: path.join(cacheRoot(host), 'downloads') });
    try {
      for (const result of results) {
        const load = await checker.check(result.zip, { runtime: rt, arch: architecture(opts.arch), handler: opts.handler, layers });
        result.findings = settleFindings([...result.findings, ...load.findings]);
        result.ok = !result.findings.some((f) => f.severity === 'error');
      }
    } finally {
      await checker.close();
    }
  }
  if (opts.json) io.stdout.write(renderJson(results));
  else io.stderr.write(renderHuman(results));
  return results.some((r) => !r.ok) ? 1 : 0;
}

async function verifyOrExplain(zip: string, options: Parameters<typeof verifyZip>[1]): Promise<VerifyResult> {
  try {
    return await verifyZip(zip, options);
  } catch (error) {
    if (!(error instanceof ZipFormatError)) throw error;
    const which = options.layers?.length ? `${zip} or one of its layers (${options.layers.join(', ')})` : zip;
    throw new ConfigError('NOT_A_ZIP', `${which} is not a readable zip file: ${error.message}`, { file: zip, fix: 'pass the path of a .zip built by lambda-pack, sam, zip or any zip tool' }, { cause: error });
  }
}

function requireLoadOptions(opts: VerifyCommandOptions, family: string): void {
  if (opts.layer) throw new ConfigError('LOAD_LAYER', '--load runs a function\'s init, and --layer says the zips are layers', { field: '--load', fix: 'verify the function zip with --load --layers <the layer zips>' });
  if (family !== 'provided' && !opts.handler) throw new ConfigError('LOAD_NO_HANDLER', `--load needs the handler the runtime imports (--runtime ${opts.runtime})`, { field: '--handler', fix: 'pass --handler, e.g. --handler index.handler' });
  if (opts.imageSet !== undefined && opts.imageSet !== 'official' && opts.imageSet !== 'local') {
    throw new ConfigError('UNKNOWN_IMAGE_SET', `unknown image set "${opts.imageSet}"`, { field: '--image-set', fix: 'pass --image-set official or --image-set local' });
  }
}

/** Splits at commas, except inside a glob's braces ('{a,b}.pem' stays whole). */
function commaList(raw: string | undefined): string[] {
  return (raw ?? '').split(/,(?![^{]*\})/).map((item) => item.trim()).filter((item) => item !== '');
}

function requireReadableFile(path: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
    accessSync(path, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError('ZIP_NOT_FOUND', `${path}: no such file`, { file: path, fix: 'check the path of the zip' }, { cause: error });
    throw new ConfigError('ZIP_UNREADABLE', `${path}: cannot be read (${code ?? (error as Error).message})`, { file: path, fix: 'check the file\'s permissions' }, { cause: error });
  }
  if (!isFile) throw new ConfigError('NOT_A_ZIP', `${path} is not a file`, { file: path, fix: 'pass the path of a .zip file' });
}
