// `lambda-pack package` (the `sam package` step): uploads the built zips to S3 by content hash and
// writes the packaged template; also run by `build --package`.
import path from 'node:path';
import { loadProject, type Project } from '../template/project.js';
import { PACKAGED_TEMPLATE } from '../template/output.js';
import { packageArtifacts } from '../publish/package.js';
import type { S3Target, ServerSideEncryption } from '../publish/s3.js';
import { EXIT, UsageError } from './errors.js';
import type { IO } from './commands.js';

export interface PackageOptions {
  config?: string;
  template?: string;
  out?: string;
  s3Bucket?: string;
  s3Prefix?: string;
  region?: string;
  profile?: string;
  kmsKeyId?: string;
  sse?: string;
  endpointUrl?: string;
  outputTemplateFile?: string;
  json?: boolean;
}

/** The S3 target the options name; a usage error before anything is built or uploaded. */
export function checkPackageOptions(options: PackageOptions): S3Target {
  if (!options.s3Bucket) throw new UsageError('NO_BUCKET', 'Packaging needs a bucket: pass --s3-bucket <name> (a bucket in the functions\' region).');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.s3Bucket)) {
    throw new UsageError('BAD_BUCKET', `--s3-bucket ${options.s3Bucket} is not a bucket name (3-63 lowercase letters, digits, "." and "-"; no s3:// prefix).`);
  }
  if (options.sse !== undefined && options.sse !== 'AES256' && options.sse !== 'aws:kms') throw new UsageError('BAD_SSE', `--sse ${options.sse} must be AES256 or aws:kms.`);
  if (options.kmsKeyId && options.sse === 'AES256') throw new UsageError('BAD_SSE', '--kms-key-id needs --sse aws:kms (or no --sse), not AES256.');
  if (options.endpointUrl) {
    try { new URL(options.endpointUrl); } catch { throw new UsageError('BAD_ENDPOINT', `--endpoint-url ${options.endpointUrl} is not a URL (e.g. http://127.0.0.1:9000).`); }
  }
  return {
    bucket: options.s3Bucket,
    prefix: (options.s3Prefix ?? '').replace(/^\/+|\/+$/g, ''),
    region: options.region,
    profile: options.profile,
    endpoint: options.endpointUrl,
    sse: (options.kmsKeyId ? 'aws:kms' : options.sse) as ServerSideEncryption | undefined,
    kmsKeyId: options.kmsKeyId,
  };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export async function packageProject(project: Project, outDir: string, options: PackageOptions, io: IO): Promise<number> {
  const target = checkPackageOptions(options);
  const templateFile = options.outputTemplateFile ? path.resolve(io.cwd, options.outputTemplateFile) : path.join(outDir, PACKAGED_TEMPLATE);
  let lastReport = 0;
  const result = await packageArtifacts(project, {
    outDir, target, templateFile, signal: io.signal,
    onProgress: (label, { sent, total, parts }) => {
      // Multipart uploads report each part; one line a second at most, and the last one.
      if (parts && (Date.now() - lastReport > 1000 || parts.done === parts.of)) {
        lastReport = Date.now();
        io.stderr.write(`${label}: ${parts.done} of ${parts.of} parts, ${mb(sent)} of ${mb(total)} sent\n`);
      }
    },
    onDone: (a) => io.stderr.write(`${a.uploaded ? 'uploaded' : 'already in S3'}: ${a.name} (${a.arch}) ${mb(a.bytes)}${a.multipart ? ' in parts' : ''} → ${a.uri}\n`),
  });
  if (result.template) io.stderr.write(`packaged template: ${result.template}\n`);
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ ok: true, bucket: target.bucket, packagedTemplate: result.template ?? null, artifacts: result.artifacts }, null, 2)}\n`);
  }
  return EXIT.ok;
}

export async function packageCommand(options: PackageOptions, io: IO): Promise<number> {
  const project = await loadProject({ cwd: io.cwd, configFile: options.config, templateFile: options.template, host: io.host });
  checkPackageOptions(options);
  const outDir = options.out ? path.resolve(io.cwd, options.out) : project.config.outDir;
  return packageProject(project, outDir, options, io);
}
