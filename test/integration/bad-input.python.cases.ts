// Rows of the bad input matrix for Python lockfiles: each refused while planning (exit 2, no
// container), naming the file (and line) and the command that fixes it.
import type { BadInput } from './bad-input.cases.js';

const APP = 'def handler(e, c): return 1\n';
const CONFIG = (extra = '') => `imageSet: local\ncertificates: system\nfunctions:\n  api:\n    runtime: python3.11\n    source: fn\n    handler: app.handler\n${extra}`;
const PYPROJECT = '[project]\nname = "fn"\nversion = "1.0.0"\nrequires-python = ">=3.11"\ndependencies = ["cfast==0.1.0"]\n\n[dependency-groups]\ndev = ["wheel>=0.38"]\n';
const UV_LOCK = (winOnly = false) => `version = 1\nrevision = 3\nrequires-python = ">=3.11"\n\n[[package]]\nname = "cfast"\nversion = "0.1.0"\nsource = { registry = "https://pypi.org/simple" }\n`
  + (winOnly ? `wheels = [{ url = "https://files.pythonhosted.org/x/cfast-0.1.0-cp311-cp311-win_amd64.whl", hash = "sha256:${'a'.repeat(64)}" }]\n`
    : `sdist = { url = "https://files.pythonhosted.org/x/cfast-0.1.0.tar.gz", hash = "sha256:${'a'.repeat(64)}" }\n`)
  + '\n[[package]]\nname = "fn"\nversion = "1.0.0"\nsource = { virtual = "." }\ndependencies = [{ name = "cfast" }]\n\n[package.dev-dependencies]\ndev = [{ name = "wheel" }]\n\n'
  + '[package.metadata]\nrequires-dist = [{ name = "cfast", specifier = "==0.1.0" }]\n\n[package.metadata.requires-dev]\ndev = [{ name = "wheel", specifier = ">=0.38" }]\n\n'
  + `[[package]]\nname = "wheel"\nversion = "0.38.4"\nsource = { registry = "https://pypi.org/simple" }\nwheels = [{ url = "https://files.pythonhosted.org/x/wheel-0.38.4-py3-none-any.whl", hash = "sha256:${'b'.repeat(64)}" }]\n`;

export const PYTHON_LOCKS: readonly BadInput[] = [
  { name: 'two Python lockfiles', files: { 'fn/app.py': APP, 'fn/pyproject.toml': PYPROJECT, 'fn/uv.lock': UV_LOCK(), 'fn/poetry.lock': '' }, config: CONFIG(), exit: 2,
    where: [/\S+\/fn has uv\.lock and poetry\.lock/], fix: /Delete the ones the project no longer uses/ },
  { name: 'a lockfile beside a requirements.txt', files: { 'fn/app.py': APP, 'fn/pyproject.toml': PYPROJECT, 'fn/uv.lock': UV_LOCK(), 'fn/requirements.txt': 'cfast\n' }, config: CONFIG(), exit: 2,
    where: [/\S+\/fn has both uv\.lock and requirements\.txt/], fix: /Delete the one that is not current/ },
  { name: 'a uv.lock out of date with pyproject.toml', files: { 'fn/app.py': APP, 'fn/pyproject.toml': PYPROJECT.replace('"cfast==0.1.0"', '"cfast==0.1.0", "markupsafe"'), 'fn/uv.lock': UV_LOCK() },
    config: CONFIG(), exit: 2,
    where: [/\S+\/fn\/uv\.lock is out of date with pyproject\.toml: pyproject\.toml requires markupsafe, which uv\.lock does not record/], fix: /Run uv lock, then build again/ },
  { name: 'a poetry.lock whose content-hash is not pyproject.toml\'s',
    files: { 'fn/app.py': APP, 'fn/pyproject.toml': '[tool.poetry]\nname = "fn"\nversion = "1"\n\n[tool.poetry.dependencies]\npython = "^3.11"\ncfast = "0.1.0"\n', 'fn/poetry.lock': `[metadata]\nlock-version = "2.0"\npython-versions = "^3.11"\ncontent-hash = "${'0'.repeat(64)}"\n` },
    config: CONFIG(), exit: 2, where: [/\S+\/fn\/poetry\.lock is out of date with pyproject\.toml \(its content-hash/], fix: /Run poetry lock --no-update/ },
  { name: 'a locked package without a file for the task (Windows wheels only)',
    files: { 'fn/app.py': APP, 'fn/pyproject.toml': PYPROJECT, 'fn/uv.lock': UV_LOCK(true) }, config: CONFIG(), exit: 2,
    where: [/\S+\/fn\/uv\.lock locks cfast 0\.1\.0, which has no wheel for python3\.11 on x86_64/], fix: /Lock a version that has one, or exclude it for this platform with a marker/ },
  { name: 'a malformed uv.lock', files: { 'fn/app.py': APP, 'fn/pyproject.toml': PYPROJECT, 'fn/uv.lock': 'version = 1\n[[package]\nname = "x"\n' }, config: CONFIG(), exit: 2,
    where: [/\/fn\/uv\.lock:2: cannot read uv\.lock/], fix: /Regenerate it with `uv lock`/ },
  { name: 'a malformed Pipfile.lock', files: { 'fn/app.py': APP, 'fn/Pipfile': '[packages]\n', 'fn/Pipfile.lock': '{\n  "_meta": {},\n  "default": {,\n}\n' }, config: CONFIG(), exit: 2,
    where: [/\/fn\/Pipfile\.lock:3: cannot read Pipfile\.lock/], fix: /Regenerate it with `pipenv lock`/ },
  { name: 'a dev group chosen to ship', files: { 'fn/app.py': APP, 'fn/pyproject.toml': PYPROJECT, 'fn/uv.lock': UV_LOCK() },
    config: CONFIG('    dependencyGroups: [dev]\n'), exit: 2,
    where: [/dependencyGroups names "dev", the development group of \S+\/fn\/uv\.lock/], fix: /Move what the function needs at run time to the main dependencies/ },
];
