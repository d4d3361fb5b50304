// `lambda-pack package` for a config project against a loopback S3 server (s3rver): a 60 MB zip
// of incompressible data goes up in parts with progress, and every failure (unreachable endpoint,
// missing bucket, no credentials, access denied) is one paragraph, exit 1, and leaves manifest.json
// claiming no upload.
import { readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, type CliResult } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { tempProject, type TempProject } from '../helpers/project.js';
import { S3_ENV, startS3Server, type S3Server } from '../helpers/s3-server.js';
import { sha256 } from '../helpers/zip.js';

const BUCKET = 'lambda-zips';
const INDEX = 'exports.handler = async () => "ok";\n';
const CONFIG = 'loadCheck: false\nfunctions:\n  big: { runtime: nodejs22.x, source: big, handler: index.handler }\n  small: { runtime: nodejs22.x, source: small, handler: index.handler }\n';

let s3: S3Server;
let big: TempProject;
let built: CliResult;

beforeAll(async () => {
  s3 = await startS3Server([BUCKET]);
  big = tempProject({ 'lambda-pack.config.yaml': CONFIG, 'big/index.js': INDEX, 'small/index.js': INDEX });
  // Random bytes do not compress: the project's own zip writer makes a zip of about 60 MB.
  writeFileSync(path.join(big.root, 'big/blob.bin'), randomBytes(60 * 1000 * 1000));
  built = await lambdaPack(['build'], { cwd: big.root });
}, 300_000);

afterAll(async () => {
  await s3?.close();
  big?.remove();
});

describe('a zip over 50 MB', () => {
  let packaged: CliResult;
  beforeAll(async () => {
    packaged = await lambdaPack(['package', '--s3-bucket', BUCKET, '--endpoint-url', s3.endpoint, '--s3-prefix', 'fns/'], { cwd: big.root, env: S3_ENV });
  }, 300_000);

  it('gets the direct-upload warning, which names lambda-pack package', () => {
    expect(built.exitCode, built.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(big.root, 'dist/manifest.json'), 'utf8'));
    const record = manifest.artifacts.find((a: { name: string }) => a.name === 'big');
    expect(record.zippedBytes).toBeGreaterThan(55 * 1024 * 1024);
    expect(record.findings).toEqual([expect.objectContaining({ code: 'ZIPPED_TOO_LARGE_FOR_DIRECT_UPLOAD', severity: 'warning', fix: expect.stringContaining('lambda-pack package --s3-bucket') })]);
  });

  it('goes up in parts, with progress, and arrives byte for byte', async () => {
    expect(packaged.exitCode, packaged.stderr).toBe(0);
    expect(packaged.stderr).toMatch(/^uploaded: big \(x86_64\) \d+\.\d MB in parts → s3:\/\/lambda-zips\/fns\/[0-9a-f]{64}\.zip$/m);
    expect(packaged.stderr).toMatch(/^uploaded: small \(x86_64\) 0\.0 MB → /m);
    // 60 MB in parts of 8 MiB: 8 parts, each reported by the SDK as it finishes.
    expect(packaged.stderr).toMatch(/^big-x86_64\.zip: 8 of 8 parts, 5\d\.\d MB of 5\d\.\d MB sent$/m);
    const zip = path.join(big.root, 'dist/big-x86_64.zip');
    const hash = await sha256(zip);
    expect((await s3.bytes(BUCKET, `fns/${hash}.zip`)).equals(readFileSync(zip))).toBe(true);
    expect(await s3.metadata(BUCKET, `fns/${hash}.zip`)).toEqual({ sha256: hash });
  });

  it('writes no packaged template for a config project, and records both objects in manifest.json', () => {
    expect(packaged.stderr).not.toMatch(/packaged template/);
    const manifest = JSON.parse(readFileSync(path.join(big.root, 'dist/manifest.json'), 'utf8'));
    for (const record of manifest.artifacts) expect(record.s3).toMatchObject({ bucket: BUCKET, key: `fns/${record.sha256}.zip` });
  });
});

describe('failures', () => {
  let small: TempProject;
  let manifestBefore: string;

  beforeAll(async () => {
    small = tempProject({ 'lambda-pack.config.yaml': CONFIG.split('\n').filter((l) => !l.includes('big')).join('\n'), 'small/index.js': INDEX });
    const result = await lambdaPack(['build'], { cwd: small.root });
    expect(result.exitCode, result.stderr).toBe(0);
    manifestBefore = readFileSync(path.join(small.root, 'dist/manifest.json'), 'utf8');
  }, 120_000);

  afterAll(() => small?.remove());

  const cases: { name: string; args: () => Promise<string[]>; env?: Record<string, string>; clean?: boolean; said: RegExp }[] = [
    { name: 'an unreachable endpoint', args: async () => ['--s3-bucket', BUCKET, '--endpoint-url', `http://127.0.0.1:${await freePort()}`], said: /could not be reached \(ECONNREFUSED\)\. Check that the server at --endpoint-url is running/ },
    { name: 'a missing bucket', args: async () => ['--s3-bucket', 'no-such-bucket', '--endpoint-url', s3.endpoint], said: /the bucket "no-such-bucket" does not exist at http:\/\/127\.0\.0\.1:\d+\. Create it/ },
    { name: 'no credentials', args: async () => ['--s3-bucket', BUCKET, '--endpoint-url', s3.endpoint], clean: true, said: /no AWS credentials were found .*Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, pass --profile/ },
    // s3rver checks the access key (not SigV4 signatures): an unknown key is refused with 403.
    { name: 'credentials the server refuses', args: async () => ['--s3-bucket', BUCKET, '--endpoint-url', s3.endpoint], env: { AWS_ACCESS_KEY_ID: 'NOBODY' },
      said: /^lambda-pack: Failed uploading small-x86_64\.zip to s3:\/\/lambda-zips\/[0-9a-f]{64}\.zip: access denied \(InvalidAccessKeyId, HTTP 403\)\. Check that the credentials are valid/ },
  ];

  it.each(cases)('$name: one paragraph, exit 1, manifest.json unchanged', async (row) => {
    const env = row.clean
      ? { PATH: process.env.PATH!, HOME: small.root, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent/c', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/k' }
      : { ...S3_ENV, ...row.env };
    const result = await lambdaPack(['package', ...await row.args()], { cwd: small.root, env, extendEnv: !row.clean });
    expect(result.exitCode, result.stderr).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^lambda-pack: Failed (checking the bucket|uploading)/);
    expect(lines[0]).toMatch(row.said);
    expect(readFileSync(path.join(small.root, 'dist/manifest.json'), 'utf8')).toBe(manifestBefore);
    expect(manifestBefore).not.toContain('"s3"');
  }, 60_000);

  it('asks for a build first when nothing is built (exit 2)', async () => {
    const empty = tempProject({ 'lambda-pack.config.yaml': CONFIG, 'big/index.js': INDEX, 'small/index.js': INDEX });
    try {
      const result = await lambdaPack(['package', '--s3-bucket', BUCKET, '--endpoint-url', s3.endpoint], { cwd: empty.root, env: S3_ENV });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/has no built zip for big \(x86_64\), small \(x86_64\).*Run lambda-pack build first/);
    } finally {
      empty.remove();
    }
  });
});
