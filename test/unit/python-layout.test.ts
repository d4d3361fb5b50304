// What of a Python source reaches the install and what ships (issue 14, items 4 and 5): a layer's
// own modules ship under python/; what the install builds or only reads never ships; a `.` or
// `-e .` requirement sends the whole source in and builds it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localProjectDirs, pythonLayout, requirementsInputs, requiresItself } from '../../src/builders/python/layout.js';
import { readRequirements } from '../../src/builders/pip-requirements.js';
import type { SourceEntry } from '../../src/package/sources.js';

const dirs: string[] = [];
afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }); });

function source(files: Record<string, string>): { dir: string; entries: SourceEntry[] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-layout-'));
  dirs.push(dir);
  const entries = new Map<string, SourceEntry>();
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.join(dir, path.dirname(name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      entries.set(p, { path: p, kind: 'directory', absolute: path.join(dir, p), executable: true, size: 0 });
    }
    entries.set(name, { path: name, kind: 'file', absolute: path.join(dir, name), executable: false, size: content.length });
  }
  return { dir, entries: [...entries.values()].sort((a, b) => a.path.localeCompare(b.path)) };
}

describe('a pip layer', () => {
  it('ships its own modules under python/ beside the dependencies, but not what the install builds or reads', async () => {
    const { dir } = source({ 'requirements.txt': '-r base.txt\n./slugkit\n--find-links wheels\n', 'base.txt': 'tally==1.0.0\n', 'layer.py': '', 'helpers/__init__.py': '', 'slugkit/pyproject.toml': '', 'wheels/x.whl': '' });
    const layout = pythonLayout('layer', await readRequirements(dir), false);
    expect(layout).toEqual({
      shipsSource: true, sourcePath: 'python', packagePath: 'python',
      installOnly: ['pip.conf', 'requirements.txt', 'pyproject.toml', 'setup.py', 'setup.cfg', 'uv.lock', 'poetry.lock', 'Pipfile.lock', 'Pipfile', 'uv.toml', 'base.txt', 'slugkit', 'slugkit/**', 'wheels', 'wheels/**'],
    });
  });

  it('ships nothing twice when the layer is itself the project the install builds', () => {
    expect(pythonLayout('layer', undefined, true)).toMatchObject({ shipsSource: false, packagePath: 'python' });
    expect(pythonLayout('function', undefined, false)).toMatchObject({ shipsSource: true, sourcePath: '', packagePath: '' });
  });
});

describe('a requirement of the source itself', () => {
  it('sends the whole source in for `-e .` and builds it as a local project (not editable)', async () => {
    const { dir, entries } = source({ 'requirements.txt': '-e .\n', 'pyproject.toml': '', 'app/__init__.py': '', 'app/handler.py': '' });
    const requirements = await readRequirements(dir);
    expect(requiresItself(requirements)).toBe(true);
    expect(requirementsInputs(entries, requirements).map((e) => e.path)).toEqual(['app', 'app/__init__.py', 'app/handler.py', 'pyproject.toml', 'requirements.txt']);
    expect(localProjectDirs(requirements)).toEqual(['.']);
  });

  it('sends only what the requirements read otherwise', async () => {
    const { dir, entries } = source({ 'requirements.txt': './vendor/cfast-0.1.0.tar.gz\n./packages/fastmath\n', 'app.py': '', 'vendor/cfast-0.1.0.tar.gz': '', 'packages/fastmath/setup.py': '', 'notes.md': '' });
    const requirements = await readRequirements(dir);
    expect(requiresItself(requirements)).toBe(false);
    expect(requirementsInputs(entries, requirements).map((e) => e.path)).toEqual(['packages', 'packages/fastmath', 'packages/fastmath/setup.py', 'requirements.txt', 'vendor', 'vendor/cfast-0.1.0.tar.gz']);
    expect(localProjectDirs(requirements)).toEqual(['packages/fastmath']);
  });
});
