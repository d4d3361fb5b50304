// The config file's shape as users write it (raw), validated with zod. Runtime and architecture
// names are checked later, in normalise.ts, so their errors can list the valid choices.
import { z } from 'zod';
import { BUILDER_NAMES, type BuilderName } from '../builders/index.js';

export type { BuilderName };

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'names may contain letters, digits, "-" and "_", and start with a letter or digit');
export const perArch = z.strictObject({ x86_64: z.string().min(1).optional(), arm64: z.string().min(1).optional() });
const imageRef = z.union([z.string().min(1), perArch]);
/** An image function's image: where it is pushed (or loaded), and how it is tagged. */
export const imageOutput = z.strictObject({
  /** registry/repository, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api or 127.0.0.1:5000/api. */
  repository: z.string().regex(/^[a-z0-9][a-z0-9._:-]*(?:\/[a-z0-9][a-z0-9._-]*)+$/, 'a registry/repository such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api (lowercase)'),
  /** The tag's stem; each architecture gets `<tag>-<arch>`. Default: the image's content digest. */
  tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}$/, 'a tag: letters, digits, "_", "." and "-", at most 101 characters').optional(),
  /** Push to the registry (default: load into the task's engine); `build --push` pushes every image function. */
  push: z.boolean().optional(),
});
/** imageMirror: official images (public.ecr.aws/…) read from a registry the user controls. */
const imageMirror = z.union([z.string().min(1), z.strictObject({ prefix: z.string().min(1).optional(), images: z.record(z.string(), z.string().min(1)).optional() })]);
const envValues = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names are letters, digits and "_"'), z.string());
/**
 * A Docker engine: its address (unix://, npipe://, tcp://, ssh://user@host), or an object naming a
 * Docker context or adding TLS material (tcp://) or an SSH key (ssh://).
 */
export const engineObject = z.strictObject({
  host: z.string().min(1).optional(),
  context: z.string().min(1).optional(),
  /** Directory holding ca.pem, cert.pem and key.pem (DOCKER_CERT_PATH's layout). */
  certPath: z.string().min(1).optional(),
  ca: z.string().min(1).optional(),
  cert: z.string().min(1).optional(),
  key: z.string().min(1).optional(),
  /** Verify the engine's certificate against the CA (default true). */
  tlsVerify: z.boolean().optional(),
  /** ssh://: a private key file, passed to ssh as -i (its agent and ~/.ssh/config apply as well). */
  identityFile: z.string().min(1).optional(),
});
const engineRef = z.union([z.string().min(1), engineObject]);
const envNames = z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names are letters, digits and "_"'));

const artifactCommon = {
  source: z.string().min(1),
  builder: z.enum(BUILDER_NAMES).optional(),
  architectures: z.array(z.string()).min(1).optional(),
  exclude: z.array(z.string()).optional(),
  env: envValues.optional(),
  passEnv: envNames.optional(),
  image: imageRef.optional(),
  /** Zip paths (globs) allowed to look like secrets: verified as intentional and harmless. */
  allowSecrets: z.array(z.string().min(1)).optional(),
  /** Strip debug sections from the ELF files that ship (default: true for cargo, false otherwise). */
  strip: z.boolean().optional(),
  /** Keep compiled objects in the engine's cache volume (ccache, where the build image has it) so unchanged native code is not recompiled; default true. */
  compilerCache: z.boolean().optional(),
  /** make: false keeps the other architecture's build emulated (default: cross-compiled where the image can, accepted once proven). */
  cross: z.boolean().optional(),
  /** make: the one target to run; it must exist (a template's `build-<LogicalId>`). Default: see ArtifactConfig.makeTarget. */
  makeTarget: z.string().regex(/^[^\s:#=]+$/, 'a make target name (no spaces, ":", "#" or "=")').optional(),
  /** make: the directory make runs in (SAM's BuildProperties.WorkingDirectory); default: `source`. */
  workingDirectory: z.string().min(1).optional(),
  /** npm, pip, cargo: the dependency manifest to install from when it is not in `source` (SAM's manifest path). */
  manifest: z.string().min(1).optional(),
  /** pip with a lockfile: dependency groups that ship besides the main dependencies (never a dev group). */
  dependencyGroups: z.array(z.string().min(1)).optional(),
  /** pip with a lockfile: the project's extras that ship. */
  extras: z.array(z.string().min(1)).optional(),
};

/** `bundle: esbuild`, or esbuild with options. */
export const bundleSchema = z.union([z.literal('esbuild'), z.strictObject({
  tool: z.literal('esbuild'),
  minify: z.boolean().optional(),
  sourcemap: z.boolean().optional(),
  /** esbuild target; default node<runtime's major>. */
  target: z.string().min(1).optional(),
  format: z.enum(['cjs', 'esm']).optional(),
  /** Packages never bundled: installed when they are dependencies, else left to the runtime (@aws-sdk/*). */
  external: z.array(z.string().min(1)).optional(),
  /** Text put first in the bundle (an ESM `require` shim). */
  banner: z.string().optional(),
})]);

export const dockerSchema = z.strictObject({
  host: engineRef.optional(),
  /** An engine per architecture (a native arm64 machine for arm64); the rest use `host`. */
  hosts: z.strictObject({ x86_64: engineRef.optional(), arm64: engineRef.optional() }).optional(),
  memory: z.string().regex(/^\d+(\.\d+)?[kKmMgG]?$/, 'a size such as 2g or 512m').optional(),
});

export const rawFunctionSchema = z.strictObject({
  ...artifactCommon,
  runtime: z.string().min(1),
  handler: z.string().min(1).optional(),
  layers: z.array(z.string()).optional(),
  binary: z.string().min(1).optional(),
  /** Prove the zip loads (Lambda's init phase in a container of its architecture) before it is accepted; default true. */
  loadCheck: z.boolean().optional(),
  /** zip (default) or image: a container image on the runtime's Lambda base image. */
  packageType: z.enum(['zip', 'image']).optional(),
  /** packageType image: the image's repository, tag and whether it is pushed. */
  imageOutput: imageOutput.optional(),
  /** npm: bundle the handler on the host; native packages stay external and are installed for the target. */
  bundle: bundleSchema.optional(),
});

export const rawLayerSchema = z.strictObject({
  ...artifactCommon,
  runtimes: z.array(z.string()).min(1),
});

export const rawConfigSchema = z.strictObject({
  /** Directory that bounds every path of the config (default: the config file's directory). */
  root: z.string().min(1).optional(),
  outDir: z.string().min(1).optional(),
  architectures: z.array(z.string()).min(1).optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
  /** Official images (the Lambda base images of image functions, the SAM build images) from a mirror: a prefix for public.ecr.aws, or per-image overrides. */
  imageMirror: imageMirror.optional(),
  /**
   * zig: with imageSet official, npm and make tasks that compile for the other architecture build
   * cross on images/official-cross (zig behind Debian's cross names) instead of emulating. Opt-in:
   * a zig-built addon can pass the load check and still misbehave when called (node-expat 2.4.1).
   */
  officialCrossToolchain: z.enum(['zig']).optional(),
  /** The load check for every function (each may override it); default true. */
  loadCheck: z.boolean().optional(),
  /** The compiler cache for every function and layer (each may override it); default true. */
  compilerCache: z.boolean().optional(),
  imageSet: z.enum(['official', 'local']).optional(),
  images: z.record(z.string(), imageRef).optional(),
  certificates: z.union([z.literal('system'), z.array(z.string().min(1))]).optional(),
  docker: dockerSchema.optional(),
  functions: z.record(name, rawFunctionSchema).optional(),
  layers: z.record(name, rawLayerSchema).optional(),
});

export type RawEngine = z.infer<typeof engineRef>;
export type RawConfig = z.infer<typeof rawConfigSchema>;
export type RawFunction = z.infer<typeof rawFunctionSchema>;
export type RawLayer = z.infer<typeof rawLayerSchema>;

/** Gives TS/JS config files types; returns its argument unchanged. */
export function defineConfig(config: RawConfig): RawConfig {
  return config;
}
