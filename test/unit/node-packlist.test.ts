// What of a package directory ships, by npm pack's rules: compared by value with what
// `npm pack --dry-run --json` (npm 11.19) listed for the same directories (*.npm-pack.json).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/builders/node/manifest.js';
import { declaresPackContents, npmPackFiles } from '../../src/builders/node/packlist.js';

const HERE = path.join(import.meta.dirname, 'node-packlist');

describe('npm pack\'s rules for what of a package ships', () => {
  it.each(['files-list', 'npmignore', 'gitignore-only'])('lists what npm pack lists for %s', async (name) => {
    const dir = path.join(HERE, name);
    const manifest = parseManifest('package.json', readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const expected = JSON.parse(readFileSync(path.join(HERE, `${name}.npm-pack.json`), 'utf8')) as string[];
    expect(await npmPackFiles(dir, manifest)).toEqual(expected);
  });

  it('keeps main, bin, README and LICENSE outside "files", and never .npmrc or lockfiles', async () => {
    const dir = path.join(HERE, 'files-list');
    const files = await npmPackFiles(dir, parseManifest('package.json', readFileSync(path.join(dir, 'package.json'), 'utf8')));
    expect(files).toEqual(expect.arrayContaining(['index.js', 'bin.js', 'README.md', 'LICENSE', 'package.json']));
    expect(files).not.toContain('.npmrc');
    expect(files).not.toContain('package-lock.json');
    expect(files).not.toContain('lib/secret.js');
    expect(files).not.toContain('dist/app.js.map');
  });

  it('applies them only when the function declares what it publishes ("files" or .npmignore)', () => {
    const plain = parseManifest('package.json', '{"name":"f"}');
    expect(declaresPackContents(plain, new Set(['index.js', '.gitignore']))).toBe(false);
    expect(declaresPackContents(plain, new Set(['index.js', '.npmignore']))).toBe(true);
    expect(declaresPackContents(parseManifest('package.json', '{"files":["dist"]}'), new Set())).toBe(true);
  });
});
