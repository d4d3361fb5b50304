// The S3 client lambda-pack uploads with: the official AWS SDK for JavaScript v3, credentials and
// region from its default chain (environment, shared config and credentials files, SSO profiles,
// container and instance roles), or a named profile; an endpoint override for S3-compatible servers.
import { S3Client } from '@aws-sdk/client-s3';

export type ServerSideEncryption = 'AES256' | 'aws:kms';

export interface S3Target {
  readonly bucket: string;
  /** Key prefix without a trailing slash ('' for the bucket's root). */
  readonly prefix: string;
  readonly region?: string;
  readonly profile?: string;
  /** An S3-compatible server (https://minio.local:9000, http://127.0.0.1:4568): path-style requests. */
  readonly endpoint?: string;
  readonly sse?: ServerSideEncryption;
  readonly kmsKeyId?: string;
}

export function s3Client(target: S3Target): S3Client {
  // The SDK warns on Node 20 about its own releases after January 2027; lambda-pack pins its SDK
  // version, so the notice is not the user's to act on. A user who set the variable keeps theirs.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    ...(target.region ? { region: target.region } : {}),
    ...(target.profile ? { profile: target.profile } : {}),
    // Custom endpoints rarely resolve bucket subdomains; path-style works on every S3-compatible server.
    ...(target.endpoint ? { endpoint: target.endpoint, forcePathStyle: true } : {}),
    maxAttempts: 3,
  });
}

/** The content-addressed key of a zip: <prefix>/<sha256>.zip. */
export function objectKey(target: S3Target, sha256: string): string {
  return target.prefix ? `${target.prefix}/${sha256}.zip` : `${sha256}.zip`;
}

/** Where requests go, for messages: the endpoint, or S3 in the region. */
export function describeEndpoint(target: S3Target, region?: string): string {
  return target.endpoint ?? `S3${region ?? target.region ? ` in ${region ?? target.region}` : ''}`;
}
