// Locks a fixture project with the real tools Debian ships (poetry, pipenv) against a test
// package index, on the host: what a developer does before committing the lockfile.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

/** Points the project's Poetry source at `indexUrl` and runs `poetry lock --no-update`. */
export async function poetryLock(dir: string, indexUrl: string): Promise<void> {
  const manifest = path.join(dir, 'pyproject.toml');
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/^url = ".*"$/m, `url = "${indexUrl.replace(/\/$/, '')}"`));
  const home = path.join(os.tmpdir(), `lambda-pack-poetry-home-${process.getuid?.() ?? 0}`);
  mkdirSync(home, { recursive: true });
  const result = await execa('poetry', ['lock', '--no-update', '--no-interaction'], {
    cwd: dir, reject: false, timeout: 180_000,
    env: { HOME: home, POETRY_VIRTUALENVS_CREATE: 'false', POETRY_CACHE_DIR: path.join(home, 'cache'), PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring' },
  });
  if (result.exitCode !== 0) throw new Error(`poetry lock failed (${result.exitCode}): ${result.stderr}\n${result.stdout}`);
}

/** Runs `pipenv lock` in the project, with the environment its Pipfile's source URL refers to. */
export async function pipenvLock(dir: string, env: Readonly<Record<string, string>>): Promise<void> {
  const home = path.join(os.tmpdir(), `lambda-pack-pipenv-home-${process.getuid?.() ?? 0}`);
  mkdirSync(home, { recursive: true });
  const result = await execa('pipenv', ['lock', '--python', '/usr/bin/python3.11'], {
    cwd: dir, reject: false, timeout: 180_000,
    env: { ...env, HOME: home, PIPENV_VENV_IN_PROJECT: '1', PIPENV_NOSPIN: '1', PIPENV_YES: '1', PIP_NO_INDEX: '', PIP_FIND_LINKS: '' },
  });
  if (result.exitCode !== 0) throw new Error(`pipenv lock failed (${result.exitCode}): ${result.stderr}\n${result.stdout}`);
}
