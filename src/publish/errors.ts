// An S3 or credentials failure → one ExternalError paragraph: what failed, the likely cause, and
// what to do. The SDK's error stays as `cause`; no credential ever enters the message.
import { ExternalError } from '../errors.js';
import { describeEndpoint, type S3Target } from './s3.js';

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string> };
  cause?: unknown;
}

const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

function networkCode(error: SdkError): string | undefined {
  for (let e: SdkError | undefined = error, depth = 0; e && depth < 5; e = e.cause as SdkError | undefined, depth++) {
    if (e.code && NETWORK.has(e.code)) return e.code;
    const errors = (e as { errors?: SdkError[] }).errors;
    const inner = errors?.find((x) => x.code && NETWORK.has(x.code))?.code;
    if (inner) return inner;
  }
  return error.name === 'TimeoutError' ? 'timed out' : undefined;
}

/** `doing`: "uploading HelloWorldFunction-x86_64.zip to s3://bucket/key", "checking bucket b". */
export function s3Error(error: unknown, target: S3Target, doing: string): ExternalError {
  const e = (error ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? e.Code ?? 'Error';
  const where = describeEndpoint(target);
  const make = (code: string, text: string, fix: string) => new ExternalError(code, `${text} ${fix}`, { fix }, { cause: error });
  if (name === 'CredentialsProviderError' || /Could not load credentials|credential/i.test(name) || /Could not load credentials/i.test(e.message ?? '')) {
    return make('S3_NO_CREDENTIALS', `Failed ${doing}: no AWS credentials were found${target.profile ? ` for profile "${target.profile}"` : ''} (the SDK's default chain looked at the environment, the shared config and credentials files, SSO profiles, and container and instance roles).`,
      'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, pass --profile <name> (after `aws sso login` for an SSO profile), or run where a role is attached.');
  }
  if (/Region is missing/i.test(e.message ?? '')) {
    return make('S3_NO_REGION', `Failed ${doing}: no AWS region is set.`, 'Pass --region <region> (the bucket\'s region, which must be the functions\' region), or set AWS_REGION or a region in the profile.');
  }
  const network = networkCode(e);
  if (network) {
    return make('S3_UNREACHABLE', `Failed ${doing}: ${where} could not be reached (${network}).`,
      target.endpoint ? 'Check that the server at --endpoint-url is running and the address is right.' : 'Check the network connection and --region.');
  }
  if (name === 'NoSuchBucket' || (status === 404 && /bucket/i.test(doing))) {
    return make('S3_NO_BUCKET', `Failed ${doing}: the bucket "${target.bucket}" does not exist at ${where}.`, 'Create it (aws s3 mb s3://<bucket>) in the functions\' region, or correct --s3-bucket.');
  }
  if (status === 301 || name === 'PermanentRedirect') {
    const region = e.$response?.headers?.['x-amz-bucket-region'];
    return make('S3_WRONG_REGION', `Failed ${doing}: the bucket "${target.bucket}" is in another region${region ? ` (${region})` : ''}.`, `Pass --region ${region ?? '<the bucket\'s region>'}: Lambda reads code only from a bucket in the function's own region.`);
  }
  if (status === 403 || /AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|Forbidden|ExpiredToken/.test(name)) {
    return make('S3_ACCESS_DENIED', `Failed ${doing}: access denied (${name}${status ? `, HTTP ${status}` : ''}).`,
      `Check that the credentials are valid and current and allow s3:PutObject and s3:GetObject on arn:aws:s3:::${target.bucket}/*${target.kmsKeyId ? ' and kms:GenerateDataKey on the KMS key' : ''}.`);
  }
  return make('S3_FAILED', `Failed ${doing}: ${where} answered ${name}${status ? ` (HTTP ${status})` : ''}: ${(e.message ?? '').split('\n')[0]}.`, 'Check the bucket, the region and the credentials, then run the command again.');
}
