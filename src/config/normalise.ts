// Raw (schema-valid) config → ProjectConfig: defaults, runtime/arch lookup, inferred builders,
// absolute paths checked to exist inside the project. Errors name file:line, field and fix.
import { existsSync, realpathSync, statSync, accessSync, constants } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { ARCH_NAMES, architecture, findRuntime, isArchName, RUNTIME_IDS, type Architecture, type ArchName, type Runtime } from '../runtimes.js';
import { builderForManifest, inferBuilder, checkBuilderFits } from './builder-choice.js';
import { compilerCacheMisfit, compilerCacheOf } from './compiler-cache.js';
import { didYouMean } from './suggest.js';
import { formatField, type FieldPath } from './location.js';
import { where } from './issues.js';
import type { RawConfig, RawEngine, RawFunction, RawLayer } from './schema.js';
import type { ArtifactConfig, EngineSpec, ProjectConfig } from './types.js';
import type { HostFacts } from '../host.js';
import { mirrorPrefixProblem } from '../image/mirror.js';

export interface NormaliseOptions {
  /**
   * Where a field's error points, when the fields were not written in `source` (a template's
   * resources): "template.yaml:12: resource "Fn", property "CodeUri"". Undefined: the config's own line.
   */
  readonly describeField?: (field: FieldPath) => string | undefined;
}

/** root bounds every path; relative paths are resolved from the config file's directory. */
interface Context extends NormaliseOptions { readonly file: string; readonly text: string; readonly root: string; readonly dir: string; readonly host: HostFacts }

function fail(ctx: Context, code: string, field: FieldPath, problem: string, fix: string): never {
  const at = ctx.describeField?.(field) ?? `${where(ctx.file, ctx.text, field)}: field "${formatField(field)}"`;
  throw new ConfigError(code, `${at}: ${problem} ${fix}`, { file: ctx.file, field: formatField(field), fix });
}

function lookupRuntime(ctx: Context, id: string, field: FieldPath): Runtime {
  const found = findRuntime(id);
  if (!found) {
    fail(ctx, 'UNKNOWN_RUNTIME', field, `unknown runtime "${id}".${didYouMean(id, RUNTIME_IDS)}`,
      `Use one of: ${RUNTIME_IDS.join(', ')}.`);
  }
  return found;
}

function lookupArchitectures(ctx: Context, names: readonly string[], field: FieldPath): Architecture[] {
  const seen = new Set<string>();
  return names.map((name, i) => {
    if (!isArchName(name)) {
      fail(ctx, 'UNKNOWN_ARCHITECTURE', [...field, i], `unknown architecture "${name}".${didYouMean(name, ARCH_NAMES)}`,
        `Use ${ARCH_NAMES.join(' or ')} (Lambda's names; "amd64"/"aarch64" are spelt x86_64/arm64 here).`);
    }
    if (seen.has(name)) fail(ctx, 'DUPLICATE_ARCHITECTURE', [...field, i], `"${name}" is listed twice.`, 'List each architecture once.');
    seen.add(name);
    return architecture(name);
  });
}

/** Resolves a path from the config and insists it stays inside the project (symlinks resolved). */
function projectPath(ctx: Context, value: string, field: FieldPath, kind: 'directory' | 'file' = 'directory'): string {
  const absolute = path.resolve(ctx.dir, value);
  if (!existsSync(absolute)) {
    fail(ctx, 'SOURCE_NOT_FOUND', field, `the ${kind} ${absolute} does not exist.`,
      `Create it or correct the path (relative paths are resolved from ${ctx.dir}).`);
  }
  const real = realpathSync(absolute);
  const realRoot = realpathSync(ctx.root);
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
    fail(ctx, 'SOURCE_OUTSIDE_PROJECT', field, `${value} resolves to ${real}, outside the project ${realRoot}.`,
      'Keep sources inside the project (the config file\'s directory, or "root" when set), so nothing outside it can enter a zip.');
  }
  if (kind === 'file') {
    if (!statSync(real).isFile()) fail(ctx, 'MANIFEST_NOT_FILE', field, `${absolute} is not a file.`, 'Point "manifest" at the package.json, requirements.txt, pyproject.toml or Cargo.toml to install from.');
    return absolute;
  }
  if (!statSync(real).isDirectory()) fail(ctx, 'SOURCE_NOT_DIRECTORY', field, `${absolute} is not a directory.`, field[field.length - 1] === 'source' ? 'Point "source" at the function\'s directory.' : `Point "${field[field.length - 1]}" at a directory.`);
  try { accessSync(real, constants.R_OK | constants.X_OK); } catch {
    fail(ctx, 'SOURCE_UNREADABLE', field, `${absolute} cannot be read by this user.`, 'Fix its permissions (chmod u+rx).');
  }
  return absolute;
}

function imagesFor(raw: RawConfig, runtimeId: string, own: RawFunction['image']): Partial<Record<Architecture['name'], string>> {
  const pick = (ref: RawFunction['image']) => typeof ref === 'string' ? { x86_64: ref, arm64: ref } : { ...ref };
  return { ...pick(raw.images?.[runtimeId]), ...pick(own) };
}

function artifact(ctx: Context, raw: RawConfig, kind: 'function' | 'layer', name: string, rawArtifact: RawFunction | RawLayer): ArtifactConfig {
  const section = kind === 'function' ? 'functions' : 'layers';
  const at = (...rest: (string | number)[]): FieldPath => [section, name, ...rest];
  const runtimes = 'runtimes' in rawArtifact
    ? rawArtifact.runtimes.map((id, i) => lookupRuntime(ctx, id, at('runtimes', i)))
    : [lookupRuntime(ctx, rawArtifact.runtime, at('runtime'))];
  const runtime = runtimes[0]!;
  const families = new Set(runtimes.map((r) => r.family));
  const languageBound = rawArtifact.builder === 'npm' || rawArtifact.builder === 'pip' || (!rawArtifact.builder && runtimes[0]!.family !== 'provided');
  if (families.size > 1 && languageBound) {
    fail(ctx, 'MIXED_LAYER_RUNTIMES', at('runtimes'), `a layer's runtimes must share one language (found ${[...families].join(' and ')}).`,
      'Split it into one layer per language, or build it with make (native libraries serve every runtime).');
  }
  const source = projectPath(ctx, rawArtifact.source, at('source'));
  const manifest = rawArtifact.manifest === undefined ? undefined : projectPath(ctx, rawArtifact.manifest, at('manifest'), 'file');
  const builder = rawArtifact.builder ?? (manifest ? builderForManifest(manifest) : undefined) ?? inferBuilder(runtime, source);
  const misfit = checkBuilderFits(builder, runtime, source);
  if (misfit) fail(ctx, 'BUILDER_MISMATCH', at(rawArtifact.builder ? 'builder' : 'source'), misfit.problem, misfit.fix);
  if (rawArtifact.cross !== undefined && builder !== 'make') {
    fail(ctx, 'CROSS_NOT_MAKE', at('cross'), `"cross" is a make setting (false: the Makefile ignores the cross compilers, so arm64 builds emulated), but this ${kind} uses the ${builder} builder, which decides on its own whether it can cross-build.`,
      'Remove "cross", or use --strategy on the command line.');
  }
  for (const key of ['makeTarget', 'workingDirectory'] as const) {
    if (rawArtifact[key] !== undefined && builder !== 'make') {
      fail(ctx, 'MAKE_ONLY', at(key), `"${key}" is a make setting, but this ${kind} uses the ${builder} builder.`, `Remove "${key}", or set builder: make.`);
    }
  }
  if (manifest && (builder === 'make' || builder === 'copy' || builderForManifest(manifest) !== builder)) {
    fail(ctx, 'MANIFEST_MISMATCH', at('manifest'), `${path.basename(manifest)} is not a manifest the ${builder} builder installs from.`,
      builder === 'make' || builder === 'copy' ? `Remove "manifest" (the ${builder} builder installs nothing from one).` : `Name the ${builder === 'npm' ? 'package.json' : builder === 'pip' ? 'requirements.txt or pyproject.toml' : 'Cargo.toml'} to install from.`);
  }
  const workingDirectory = rawArtifact.workingDirectory === undefined ? undefined : projectPath(ctx, rawArtifact.workingDirectory, at('workingDirectory'));
  for (const field of ['dependencyGroups', 'extras'] as const) {
    if (rawArtifact[field] !== undefined && builder !== 'pip') {
      fail(ctx, 'PIP_SETTING', at(field), `"${field}" chooses what a Python lockfile installs, but this ${kind} uses the ${builder} builder.`, `Remove "${field}".`);
    }
  }
  const cacheSetting = { builder, kind, own: rawArtifact.compilerCache, project: raw.compilerCache, env: rawArtifact.env ?? {}, passEnv: rawArtifact.passEnv ?? [] };
  const cacheMisfit = compilerCacheMisfit(cacheSetting);
  if (cacheMisfit) fail(ctx, 'COMPILER_CACHE_SETTING', at(...cacheMisfit.field), cacheMisfit.problem, cacheMisfit.fix);
  const architectures = lookupArchitectures(ctx, rawArtifact.architectures ?? raw.architectures ?? ['x86_64'],
    rawArtifact.architectures ? at('architectures') : ['architectures']);
  const fn = kind === 'function' ? rawArtifact as RawFunction : undefined;
  if (fn?.bundle && builder !== 'npm') {
    fail(ctx, 'NODE_ONLY_SETTING', at('bundle'), `"bundle" is a setting of the npm builder (Node.js), but this ${kind} uses the ${builder} builder.`,
      `Remove it, or build the ${kind} with the npm builder.`);
  }
  if (fn?.bundle && !fn.handler) {
    fail(ctx, 'BUNDLE_NEEDS_HANDLER', at('bundle'), 'a bundle is built from the handler\'s module, but the function has no "handler".', 'Set "handler" (e.g. src/index.handler for src/index.ts).');
  }
  const rawBundle = fn?.bundle === 'esbuild' ? { tool: 'esbuild' as const } : fn?.bundle;
  return {
    name, kind, runtime, runtimes, source, builder, architectures,
    exclude: rawArtifact.exclude ?? [],
    env: rawArtifact.env ?? {},
    passEnv: rawArtifact.passEnv ?? [],
    images: imagesFor(raw, runtime.id, rawArtifact.image),
    handler: fn?.handler,
    layers: fn?.layers ?? [],
    binary: fn?.binary,
    allowSecrets: rawArtifact.allowSecrets ?? [],
    loadCheck: kind === 'function' && ((rawArtifact as RawFunction).loadCheck ?? raw.loadCheck ?? true),
    ...imagePackage(ctx, kind, rawArtifact, at),
    ...(rawArtifact.cross !== undefined ? { cross: rawArtifact.cross } : {}),
    compilerCache: compilerCacheOf(cacheSetting),
    // cargo-lambda's release profile strips; a Rust binary otherwise ships std's debug info.
    strip: rawArtifact.strip ?? builder === 'cargo',
    makeTarget: rawArtifact.makeTarget,
    workingDirectory,
    manifest,
    root: ctx.root,
    ...(rawBundle ? {
      bundle: {
        tool: 'esbuild', minify: rawBundle.minify ?? false, sourcemap: rawBundle.sourcemap ?? false, format: rawBundle.format ?? 'cjs',
        external: rawBundle.external ?? [], ...(rawBundle.target ? { target: rawBundle.target } : {}), ...(rawBundle.banner !== undefined ? { banner: rawBundle.banner } : {}),
      },
    } : {}),
    dependencyGroups: rawArtifact.dependencyGroups ?? [],
    extras: rawArtifact.extras ?? [],
  };
}

/** packageType and imageOutput, checked to go together. */
function imagePackage(ctx: Context, kind: 'function' | 'layer', raw: RawFunction | RawLayer, at: (...rest: (string | number)[]) => FieldPath): Pick<ArtifactConfig, 'packageType' | 'imageOutput'> {
  if (kind === 'layer') return { packageType: 'zip' };
  const fn = raw as RawFunction;
  const packageType = fn.packageType ?? 'zip';
  if (packageType === 'image' && !fn.imageOutput) {
    fail(ctx, 'IMAGE_OUTPUT_MISSING', at('packageType'), 'an image function needs to know where its image goes.', 'Add imageOutput: { repository: <registry>/<repository> } (and push: true to push it).');
  }
  if (packageType === 'zip' && fn.imageOutput) {
    fail(ctx, 'IMAGE_OUTPUT_WITHOUT_IMAGE', at('imageOutput'), 'imageOutput only applies to image functions.', 'Add packageType: image, or remove imageOutput.');
  }
  return { packageType, ...(fn.imageOutput ? { imageOutput: { repository: fn.imageOutput.repository, ...(fn.imageOutput.tag ? { tag: fn.imageOutput.tag } : {}), push: fn.imageOutput.push ?? false } } : {}) };
}

function systemCertificates(ctx: Context): string[] {
  const candidates = [ctx.host.sslCertFile, '/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found) {
    fail(ctx, 'CERTIFICATES_NOT_FOUND', ['certificates'], 'no system CA bundle found (looked at $SSL_CERT_FILE and the usual Linux/macOS paths).',
      'List the PEM files to trust instead: certificates: [./corp-ca.pem].');
  }
  return [found];
}

function certificates(ctx: Context, raw: RawConfig): string[] {
  if (raw.certificates === undefined) return [];
  if (raw.certificates === 'system') return systemCertificates(ctx);
  return raw.certificates.map((entry, i) => {
    const absolute = path.resolve(ctx.dir, entry);
    try { accessSync(absolute, constants.R_OK); } catch {
      fail(ctx, 'CERTIFICATE_NOT_FOUND', ['certificates', i], `${absolute} does not exist or cannot be read.`, 'Point it at a readable PEM file.');
    }
    return absolute;
  });
}

function checkLayerReferences(ctx: Context, artifacts: ArtifactConfig[]): void {
  const layers = new Map(artifacts.filter((a) => a.kind === 'layer').map((l) => [l.name, l]));
  for (const fn of artifacts.filter((a) => a.kind === 'function')) {
    if (fn.layers.length > 5) fail(ctx, 'TOO_MANY_LAYERS', ['functions', fn.name, 'layers'], `${fn.layers.length} layers listed; Lambda allows at most 5.`, 'Merge layers or move code into the function.');
    fn.layers.forEach((layerName, i) => {
      const field: FieldPath = ['functions', fn.name, 'layers', i];
      const layer = layers.get(layerName);
      if (!layer) fail(ctx, 'UNKNOWN_LAYER', field, `no layer named "${layerName}".${didYouMean(layerName, [...layers.keys()])}`, 'Define it under "layers:" or remove it from the list.');
      if (!layer.runtimes.includes(fn.runtime) && fn.runtime.family !== 'provided' && layer.runtime.family !== 'provided') {
        fail(ctx, 'LAYER_RUNTIME_MISMATCH', field, `layer "${layerName}" is built for ${layer.runtimes.map((r) => r.id).join(', ')}, not ${fn.runtime.id}.`,
          `Add ${fn.runtime.id} to layers.${layerName}.runtimes.`);
      }
      const missingArch = fn.architectures.find((a) => !layer.architectures.includes(a));
      if (missingArch) fail(ctx, 'LAYER_ARCH_MISMATCH', field, `layer "${layerName}" is not built for ${missingArch.name}.`, `Add ${missingArch.name} to layers.${layerName}.architectures.`);
    });
  }
}

function projectRoot(raw: RawConfig, source: { file: string; text: string; host: HostFacts }): string {
  const dir = path.dirname(source.file);
  if (!raw.root) return dir;
  const root = path.resolve(dir, raw.root);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    fail({ ...source, root: dir, dir }, 'ROOT_NOT_FOUND', ['root'], `${root} is not a directory.`, 'Point "root" at the directory that holds every source of this config.');
  }
  return root;
}

const ENGINE_SCHEMES = ['unix:', 'npipe:', 'tcp:', 'ssh:', 'http:', 'https:'];

/** A path of the user's own files (TLS material, an SSH key): `~/` is their home, as in a shell. */
function userPath(ctx: Context, value: string): string {
  return value === '~' || value.startsWith('~/') ? path.join(ctx.host.home, value.slice(1)) : path.resolve(ctx.dir, value);
}

/** A file the config names (TLS material, an SSH key): absolute, and readable now. */
function readableFile(ctx: Context, value: string, field: FieldPath): string {
  const absolute = userPath(ctx, value);
  try { accessSync(absolute, constants.R_OK); } catch {
    fail(ctx, 'ENGINE_FILE_NOT_FOUND', field, `${absolute} does not exist or cannot be read.`, `Point it at a readable file (relative paths are resolved from ${ctx.dir}).`);
  }
  return absolute;
}

function engineSpec(ctx: Context, raw: RawEngine, field: FieldPath): EngineSpec {
  const spec = typeof raw === 'string' ? { host: raw } : raw;
  const name = formatField(field);
  if ((spec.host === undefined) === (spec.context === undefined)) {
    fail(ctx, 'ENGINE_SPEC', field, spec.host === undefined ? 'names neither an engine address ("host") nor a Docker context ("context").' : 'names both an address ("host") and a Docker context ("context").',
      'Give exactly one: host: ssh://user@arm-builder (or tcp://…:2376, unix://…), or context: <name from `docker context ls`>.');
  }
  if (spec.host !== undefined) {
    let scheme: string | undefined;
    try { scheme = new URL(spec.host).protocol; } catch { /* reported below */ }
    if (!scheme || !ENGINE_SCHEMES.includes(scheme)) {
      fail(ctx, 'ENGINE_ADDRESS', typeof raw === 'string' ? field : [...field, 'host'], `"${spec.host}" is not a Docker engine address.`,
        'Write it as unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host or npipe:////./pipe/docker_engine.');
    }
  }
  const at = (key: string): FieldPath => [...field, key];
  const fromDir = (file: string) => spec.certPath ? path.join(userPath(ctx, spec.certPath), file) : undefined;
  const material = { ca: spec.ca ?? fromDir('ca.pem'), cert: spec.cert ?? fromDir('cert.pem'), key: spec.key ?? fromDir('key.pem') };
  const hasTls = Object.values(material).some((v) => v !== undefined) || spec.tlsVerify !== undefined;
  if (hasTls && spec.host !== undefined && !/^(tcp|https):/.test(spec.host)) {
    fail(ctx, 'ENGINE_TLS_SCHEME', field, `TLS settings only apply to tcp:// engines, but ${name} is ${spec.host}.`, 'Remove certPath/ca/cert/key/tlsVerify, or use a tcp:// address.');
  }
  if ((material.cert === undefined) !== (material.key === undefined)) {
    fail(ctx, 'ENGINE_TLS_PAIR', field, 'has a client certificate without its key, or a key without its certificate.', 'Give both "cert" and "key" (or "certPath" with cert.pem and key.pem).');
  }
  const file = (key: 'ca' | 'cert' | 'key') => material[key] === undefined ? undefined : readableFile(ctx, material[key], spec[key] ? at(key) : at('certPath'));
  if (spec.identityFile !== undefined && !spec.host?.startsWith('ssh:')) {
    fail(ctx, 'ENGINE_SSH_KEY', at('identityFile'), `an SSH key only applies to ssh:// engines, but ${name} is ${spec.host ?? `context ${spec.context}`}.`, 'Remove "identityFile", or use an ssh://user@host address.');
  }
  return {
    field: name,
    host: spec.host,
    context: spec.context,
    tls: hasTls ? { ca: file('ca'), cert: file('cert'), key: file('key'), verify: spec.tlsVerify ?? true } : undefined,
    identityFile: spec.identityFile === undefined ? undefined : readableFile(ctx, spec.identityFile, at('identityFile')),
  };
}

function docker(ctx: Context, raw: RawConfig): ProjectConfig['docker'] {
  const hosts: Partial<Record<ArchName, EngineSpec>> = {};
  for (const arch of ARCH_NAMES) {
    const entry = raw.docker?.hosts?.[arch];
    if (entry !== undefined) hosts[arch] = engineSpec(ctx, entry, ['docker', 'hosts', arch]);
  }
  return {
    host: raw.docker?.host === undefined ? undefined : engineSpec(ctx, raw.docker.host, ['docker', 'host']),
    hosts,
    memory: raw.docker?.memory,
  };
}

export function normalise(raw: RawConfig, source: { file: string; text: string; host: HostFacts }, options: NormaliseOptions = {}): ProjectConfig {
  const root = projectRoot(raw, source);
  const ctx: Context = { ...source, ...options, root, dir: path.dirname(source.file) };
  const functionNames = Object.keys(raw.functions ?? {});
  const layerNames = Object.keys(raw.layers ?? {});
  if (functionNames.length + layerNames.length === 0) {
    fail(ctx, 'NOTHING_TO_BUILD', ['functions'], 'the config defines no functions and no layers.', 'Add at least one entry under "functions:" or "layers:".');
  }
  for (const name of layerNames) {
    if (functionNames.includes(name)) {
      fail(ctx, 'DUPLICATE_NAME', ['layers', name], `"${name}" names both a function and a layer; their zips would collide in the output directory.`,
        'Give the layer a different name (for example "' + name + '-layer").');
    }
  }
  if (raw.architectures) lookupArchitectures(ctx, raw.architectures, ['architectures']);
  const artifacts = [
    ...functionNames.map((name) => artifact(ctx, raw, 'function', name, raw.functions![name]!)),
    ...layerNames.map((name) => artifact(ctx, raw, 'layer', name, raw.layers![name]!)),
  ];
  checkLayerReferences(ctx, artifacts);
  return {
    file: source.file,
    root,
    outDir: path.resolve(path.dirname(source.file), raw.outDir ?? 'dist'),
    concurrency: raw.concurrency,
    imageSet: raw.imageSet ?? 'official',
    certificates: certificates(ctx, raw),
    docker: docker(ctx, raw),
    artifacts,
    ...(raw.imageMirror !== undefined ? { imageMirror: mirrorOf(ctx, raw.imageMirror) } : {}),
    ...(raw.officialCrossToolchain ? { officialCrossToolchain: raw.officialCrossToolchain } : {}),
  };
}

function mirrorOf(ctx: Context, raw: NonNullable<RawConfig['imageMirror']>): NonNullable<ProjectConfig['imageMirror']> {
  const mirror = typeof raw === 'string' ? { prefix: raw } : raw;
  const problem = mirror.prefix === undefined ? undefined : mirrorPrefixProblem(mirror.prefix);
  if (problem) fail(ctx, 'IMAGE_MIRROR_INVALID', typeof raw === 'string' ? ['imageMirror'] : ['imageMirror', 'prefix'], `${problem}.`, 'Write it as <registry>[/<path>], e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public.');
  return mirror;
}
