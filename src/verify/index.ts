// Verifies that a Lambda zip (function or layer) will load on its runtime and architecture:
// native binaries, ABIs, shared libraries, entry point, handler, permissions, paths and sizes;
// and that it ships no secrets.
import { basename, posix } from 'node:path';
import type { Architecture, Runtime } from '../runtimes.js';
import { checkBinaries } from './checks/binaries.js';
import type { Check, CheckContext, LayerPackage } from './checks/context.js';
import { checkBootstrap, checkLayerExecutables } from './checks/entrypoint.js';
import { checkHandler } from './checks/handler.js';
import { checkLayerPaths } from './checks/layer-paths.js';
import { checkLibstdcxx } from './checks/libstdcxx.js';
import { checkNodePrebuilds } from './checks/node-prebuilds.js';
import { checkPaths, checkReadable } from './checks/paths.js';
import { checkPythonAbi } from './checks/python-abi.js';
import { checkSharedLibraries } from './checks/shared-libraries.js';
import { checkSecrets } from './checks/secrets.js';
import { checkSizes } from './checks/size.js';
import { settleFindings, type Finding } from './findings.js';
import { inspectZip, readContent, readText } from './inspect.js';
import { FUNCTION_ROOT, LAYER_ROOT, LambdaFilesystem } from './package-tree.js';
import { platformBundles, unusedOnLambda } from './unused-binaries.js';
import { ZipArchive } from '../zip/read/archive.js';

export { CODES, type Finding, type FindingCode, type Severity } from './findings.js';
export { ZipFormatError } from '../zip/read/archive.js';

export interface VerifyOptions {
  runtime: Runtime;
  arch: Architecture;
  /** The zip is a layer: checked at layer paths, no bootstrap or handler checks. */
  layer?: boolean;
  /** e.g. 'index.handler', 'app.handler', 'pkg/mod.fn'. */
  handler?: string;
  /** Paths of the layer zips the function uses (for shared libraries, bootstrap and total size). */
  layers?: string[];
  /** Globs of entry paths (picomatch, dot files included) exempt from SECRET_FILE, e.g. 'certs/public-test.pem'. */
  allowSecrets?: string[];
}

export interface VerifyResult {
  zip: string;
  runtime: string;
  arch: string;
  ok: boolean;
  findings: Finding[];
  unzippedBytes: number;
  zippedBytes: number;
}

const CHECKS: readonly Check[] = [
  checkPaths, checkReadable, checkSizes, checkBootstrap, checkLayerExecutables, checkHandler,
  checkBinaries, checkSharedLibraries, checkLibstdcxx, checkPythonAbi, checkNodePrebuilds, checkLayerPaths, checkSecrets,
];

/** Verifies one zip. Throws ZipFormatError when the file is not a readable zip. */
export async function verifyZip(zipPath: string, options: VerifyOptions): Promise<VerifyResult> {
  const layers = await Promise.all((options.layers ?? []).map(inspectLayer));
  const archive = ZipArchive.open(zipPath);
  try {
    const layer = options.layer ?? false;
    const bundles = platformBundles(archive.entries.map((e) => posix.normalize(e.name).replace(/\/$/, '')));
    const unused = (path: string): boolean => unusedOnLambda(path, options.runtime, options.arch, bundles) !== undefined;
    const inspected = await inspectZip(archive, layer ? LAYER_ROOT : FUNCTION_ROOT, basename(zipPath), { binaries: true, unused });
    const layerTrees = layers.map((l) => l.tree);
    const context: CheckContext = {
      runtime: options.runtime,
      arch: options.arch,
      layer,
      handler: options.handler,
      tree: inspected.tree,
      layers,
      filesystem: new LambdaFilesystem(layer ? [...layerTrees, inspected.tree] : [inspected.tree, ...layerTrees]),
      binaries: inspected.binaries,
      unreadable: inspected.unreadable,
      unzippedBytes: inspected.unzippedBytes,
      zippedBytes: inspected.zippedBytes,
      allowSecrets: options.allowSecrets ?? [],
      readText: (entry) => readText(archive, entry),
      readContent: (entry, maxBytes) => readContent(archive, entry, maxBytes),
    };
    const findings = settleFindings(CHECKS.flatMap((check) => check(context)));
    return {
      zip: zipPath,
      runtime: options.runtime.id,
      arch: options.arch.name,
      ok: !findings.some((f) => f.severity === 'error'),
      findings,
      unzippedBytes: inspected.unzippedBytes,
      zippedBytes: inspected.zippedBytes,
    };
  } finally {
    archive.close();
  }
}

async function inspectLayer(path: string): Promise<LayerPackage> {
  const archive = ZipArchive.open(path);
  try {
    const inspected = await inspectZip(archive, LAYER_ROOT, basename(path), { binaries: false });
    return { zip: path, tree: inspected.tree, unzippedBytes: inspected.unzippedBytes };
  } finally {
    archive.close();
  }
}
