// Compile errors in a C extension, a Rust crate and a Makefile: each fails its own task with the
// compiler's own error lines, and the other tasks still finish with valid zips.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import { tempProject } from '../helpers/project.js';

const project = tempProject({
  'lambda-pack.config.yaml': [
    'imageSet: local',
    'certificates: system',
    'functions:',
    '  pyext: { runtime: python3.11, source: pyext, handler: app.handler }',
    '  rustbad: { runtime: provided.al2023, source: rustbad }',
    '  makebad: { runtime: provided.al2023, source: makebad }',
    '  fine: { runtime: nodejs22.x, source: fine, handler: index.handler }',
  ].join('\n'),
  'pyext/app.py': 'import broken\n',
  'pyext/requirements.txt': './broken\n',
  'pyext/broken/pyproject.toml': '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n[project]\nname = "broken"\nversion = "1.0.0"\n',
  'pyext/broken/setup.py': 'from setuptools import Extension, setup\nsetup(ext_modules=[Extension("broken", sources=["broken.c"])])\n',
  'pyext/broken/broken.c': '#include <Python.h>\nint broken_function( { return 1; }\n',
  'rustbad/Cargo.toml': '[package]\nname = "rustbad"\nversion = "0.1.0"\nedition = "2021"\n',
  'rustbad/src/main.rs': 'fn main() {\n    let count: u32 = "three";\n    println!("{count}");\n}\n',
  'makebad/Makefile': 'build-makebad:\n\t$(CC) -o "$(ARTIFACTS_DIR)/bootstrap" bad.c\n',
  'makebad/bad.c': 'int main(void) { return undeclared_variable; }\n',
  'fine/index.js': 'exports.handler = async () => "fine";\n',
});

let result: Awaited<ReturnType<typeof lambdaPack>>;

beforeAll(async () => {
  await requireEngine();
  result = await lambdaPack(['build', '--arch', 'x86_64'], { cwd: project.root });
}, 600_000);

afterAll(() => project.remove());

describe('a build with compile errors', () => {
  it('exits 1 and keeps going: the good function is built, the broken ones are not', async () => {
    expect(result.exitCode).toBe(1);
    expect(readdirSync(path.join(project.root, 'dist')).sort()).toEqual(['fine-x86_64.zip', 'manifest.json']);
    await execa('unzip', ['-tq', path.join(project.root, 'dist/fine-x86_64.zip')]);
    expect(result.stderr).toContain('3 of 4 task(s) failed');
  });

  it("shows gcc's error for the C extension", () => {
    expect(result.stderr).toMatch(/FAIL {2}pyext-x86_64: .*pip build step failed with exit code/);
    expect(result.stderr).toMatch(/broken\.c:2:\d+: error: /);
  });

  it("shows rustc's error for the crate", () => {
    expect(result.stderr).toMatch(/FAIL {2}rustbad-x86_64: .*cargo build step failed with exit code 101/);
    expect(result.stderr).toContain('error[E0308]: mismatched types');
  });

  it("shows the compiler's error for the Makefile build", () => {
    expect(result.stderr).toMatch(/FAIL {2}makebad-x86_64: .*make build step failed with exit code 2/);
    expect(result.stderr).toMatch(/bad\.c:1:\d+: error: .undeclared_variable. undeclared/);
  });
});
