// Test helpers for verify: the real-binary corpus (fetched by the machine setup through fetch.sh,
// never by a test) and zips built from it with Python's zipfile, independent of lambda-pack's own
// zip writer.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
let corpus: string | undefined;

/** The corpus directory; throws, naming the setup command, when the machine setup has not fetched it. */
export function corpusDir(): string {
  corpus ??= findCorpus(process.env);
  return corpus;
}

/** Where `fetch.sh` put a complete corpus for this environment (LAMBDA_PACK_CORPUS_CACHE); looks, never fetches. */
export function findCorpus(env: NodeJS.ProcessEnv): string {
  const check = spawnSync('bash', [join(here, 'fetch.sh'), '--check'], { encoding: 'utf8', env });
  if (check.status !== 0) {
    throw new Error(`The verify corpus (real third-party binaries) is not on this machine (${check.stderr.trim() || `fetch.sh --check exited ${check.status}`}). ` +
      'Tests never download it: fetch it once with `bash scripts/setup-machine.sh` (the machine setup), or only the corpus with `bash test/verify-corpus/fetch.sh`.');
  }
  return check.stdout.trim();
}

/** The one file under corpus/<dir> whose path (relative to it) matches `pattern`. */
export function corpusFile(dir: string, pattern: RegExp): string {
  const root = join(corpusDir(), dir);
  const matches = walk(root).filter((p) => pattern.test(p.slice(root.length + 1)));
  if (matches.length !== 1) throw new Error(`expected one file matching ${pattern} under ${root}, found ${matches.length}: ${matches.slice(0, 5).join(', ')}`);
  return matches[0]!;
}

export function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    return d.isDirectory() ? walk(path) : [path];
  });
}

export type ZipSpecEntry =
  | { name: string; file: string; mode?: number; unix?: boolean; store?: boolean }
  | { name: string; text: string; mode?: number; unix?: boolean; store?: boolean }
  | { name: string; symlink: string }
  | { name: string; dir: true; mode?: number; unix?: boolean };

let scratch: string | undefined;
let counter = 0;
let python: string | undefined;

/** Writes a zip with exactly these entries and returns its path. */
export function makeZip(entries: ZipSpecEntry[], name = 'test.zip'): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'lambda-pack-verify-'));
  const zip = join(scratch, `${++counter}-${name}`);
  // Resolve the interpreter once: version-manager shims (pyenv) cost a few hundred ms per call.
  python ??= execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  execFileSync(python, ['-S', '-E', join(here, 'make-zip.py')], { input: JSON.stringify({ zip, entries }) });
  return zip;
}

/** Every file under a corpus package directory, as zip entries under `prefix`. */
export function treeEntries(dir: string, prefix: string): ZipSpecEntry[] {
  return walk(dir).map((file) => ({ name: prefix + file.slice(dir.length + 1), file, mode: statSync(file).mode & 0o777 }));
}
