import { describe, expect, it } from 'vitest';
import { mirrorImage, mirrorPrefixProblem } from '../../src/image/mirror.js';
import { formatReference, isLoopback, parseReference, referenceProblem } from '../../src/image/reference.js';
import { ARCHITECTURES, runtime, runtimeBaseImage } from '../../src/runtimes.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('image references', () => {
  it('reads registry, repository, tag and digest as the docker CLI does', () => {
    expect(parseReference('public.ecr.aws/lambda/nodejs:22-arm64')).toEqual({ registry: 'public.ecr.aws', repository: 'lambda/nodejs', tag: '22-arm64' });
    expect(parseReference(`127.0.0.1:5000/fn@${DIGEST}`)).toEqual({ registry: '127.0.0.1:5000', repository: 'fn', digest: DIGEST });
    expect(parseReference(`localhost/a/b:t@${DIGEST}`)).toEqual({ registry: 'localhost', repository: 'a/b', tag: 't', digest: DIGEST });
    expect(parseReference('debian:bookworm')).toEqual({ registry: 'docker.io', repository: 'library/debian', tag: 'bookworm' });
    expect(parseReference('amazon/aws-cli')).toEqual({ registry: 'docker.io', repository: 'amazon/aws-cli' });
    expect(formatReference(parseReference('123456789012.dkr.ecr.eu-west-1.amazonaws.com/fn:x'))).toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com/fn:x');
  });

  it('says what is wrong with a bad reference', () => {
    expect(referenceProblem('https://example.com/x')).toMatch(/URL scheme/);
    expect(referenceProblem('example.com/Upper')).toMatch(/repository part "Upper"/);
    expect(referenceProblem('example.com/x@sha256:12')).toMatch(/digest/);
    expect(referenceProblem('example.com/x:-bad')).toMatch(/tag "-bad"/);
    expect(referenceProblem('example.com/x:ok')).toBeUndefined();
  });

  it('treats only loopback registries as plain-HTTP by default', () => {
    expect([isLoopback('127.0.0.1:5000'), isLoopback('127.3.4.5'), isLoopback('localhost:1'), isLoopback('[::1]:5000')]).toEqual([true, true, true, true]);
    expect([isLoopback('10.0.0.1:5000'), isLoopback('registry.local'), isLoopback('127.example.com')]).toEqual([false, false, false]);
  });
});

describe('imageMirror', () => {
  const base = runtimeBaseImage(runtime('nodejs22.x'), ARCHITECTURES.arm64);
  const ecr = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public';

  it('rewrites public.ecr.aws to the prefix, as an ECR pull-through cache names the images', () => {
    expect(base).toBe('public.ecr.aws/lambda/nodejs:22-arm64');
    expect(mirrorImage(base, { prefix: ecr })).toBe(`${ecr}/lambda/nodejs:22-arm64`);
    expect(mirrorImage('public.ecr.aws/sam/build-python3.12:latest-x86_64', { prefix: '127.0.0.1:5000/ecr-public' }))
      .toBe('127.0.0.1:5000/ecr-public/sam/build-python3.12:latest-x86_64');
    expect(mirrorImage(`public.ecr.aws/lambda/python@${DIGEST}`, { prefix: ecr })).toBe(`${ecr}/lambda/python@${DIGEST}`);
  });

  it('leaves other registries and look-alike hosts alone', () => {
    expect(mirrorImage('my.registry/lambda/nodejs:22', { prefix: ecr })).toBe('my.registry/lambda/nodejs:22');
    expect(mirrorImage('public.ecr.aws.evil.example/x:1', { prefix: ecr })).toBe('public.ecr.aws.evil.example/x:1');
    expect(mirrorImage(base, undefined)).toBe(base);
    expect(mirrorImage(base, {})).toBe(base);
  });

  it('prefers a per-image override: a whole reference as it is, a repository keeping its tag', () => {
    const mirror = { prefix: ecr, images: { [base]: 'corp.example/node:pinned', 'public.ecr.aws/lambda/python': 'corp.example/lambda-python' } };
    expect(mirrorImage(base, mirror)).toBe('corp.example/node:pinned');
    expect(mirrorImage('public.ecr.aws/lambda/python:3.12-x86_64', mirror)).toBe('corp.example/lambda-python:3.12-x86_64');
    expect(mirrorImage(`public.ecr.aws/lambda/python:3.12@${DIGEST}`, mirror)).toBe(`corp.example/lambda-python:3.12@${DIGEST}`);
    expect(mirrorImage('public.ecr.aws/lambda/provided:al2023-arm64', mirror)).toBe(`${ecr}/lambda/provided:al2023-arm64`);
  });

  it('says what is wrong with a prefix', () => {
    expect(mirrorPrefixProblem(ecr)).toBeUndefined();
    expect(mirrorPrefixProblem('127.0.0.1:5000')).toBeUndefined();
    expect(mirrorPrefixProblem('https://x.example/ecr-public')).toMatch(/scheme/);
    expect(mirrorPrefixProblem('x.example/ecr-public/')).toMatch(/end with \//);
    expect(mirrorPrefixProblem('ecr-public')).toMatch(/registry host/);
    expect(mirrorPrefixProblem('x.example/Ecr')).toMatch(/not valid/);
  });
});
