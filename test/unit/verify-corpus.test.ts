import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findCorpus } from '../verify-corpus/corpus.js';

const dirs: string[] = [];
afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }); });
function emptyCache(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-corpus-'));
  dirs.push(dir);
  return dir;
}

describe('the verify corpus, a machine setup step', () => {
  it('fails naming the setup command when the corpus was never fetched, and downloads nothing', () => {
    const cache = emptyCache();
    expect(() => findCorpus({ ...process.env, LAMBDA_PACK_CORPUS_CACHE: cache }))
      .toThrow(/not on this machine \(\[verify-corpus\] no complete corpus in .*\)\. Tests never download it: fetch it once with `bash scripts\/setup-machine\.sh`/);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('takes a corpus only once fetch.sh marked it complete', () => {
    const cache = emptyCache();
    mkdirSync(path.join(cache, 'corpus/npm'), { recursive: true });
    expect(() => findCorpus({ ...process.env, LAMBDA_PACK_CORPUS_CACHE: cache })).toThrow(/bash scripts\/setup-machine\.sh/);
    writeFileSync(path.join(cache, 'corpus/.complete-v3'), '2026-12-01T00:00:00Z\n');
    expect(findCorpus({ ...process.env, LAMBDA_PACK_CORPUS_CACHE: cache })).toBe(path.join(cache, 'corpus'));
  });
});
