// Talks to the real engine for integration tests: presence, containers of a run, and running an
// extracted artifact in a container of its architecture.
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { ArchName } from '../../src/runtimes.js';
import { ARCHITECTURES } from '../../src/runtimes.js';
import { RUN_LABEL } from '../../src/docker/container.js';

/** Fails loudly (never skips) when no engine answers: integration tests need one. */
export async function requireEngine(): Promise<void> {
  const result = await execa('docker', ['version', '--format', '{{.Server.Version}}'], { reject: false, timeout: 10_000 });
  if (result.exitCode !== 0) {
    throw new Error(`Integration tests need a Docker engine and none answered (${String(result.stderr).trim()}). Run: bash scripts/setup-machine.sh`);
  }
}

/** IDs of every container lambda-pack ever labelled that still exists. */
export async function lambdaPackContainers(): Promise<string[]> {
  const { stdout } = await execa('docker', ['ps', '-aq', '--filter', `label=${RUN_LABEL}`]);
  return stdout.split('\n').filter(Boolean);
}

export interface Mount { readonly dir: string; readonly target: string }

/**
 * Copies directories into a fresh container of `arch` (as one tar through stdin, like the engine's
 * archive API) and runs `script` there as an unprivileged user, as Lambda does. `docker` adds
 * arguments to `docker run` (network, env, name).
 */
export async function runWithMounts(image: string, arch: ArchName, mounts: readonly Mount[], script: string, options: { user?: string; docker?: readonly string[] } = {}): Promise<string> {
  const platform = ARCHITECTURES[arch].dockerPlatform;
  const [uid, gid] = (options.user ?? '993:990').split(':');
  const staging = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-mounts-'));
  chmodSync(staging, 0o755); // the tar's "./" entry lands on the container's /
  try {
    for (const m of mounts) cpSync(m.dir, path.join(staging, m.target), { recursive: true, verbatimSymlinks: true });
    const tar = execa('tar', ['-C', staging, '-cf', '-', '.']);
    const unpack = mounts.map((m) => `chmod 755 ${m.target}`).join(' && ');
    const run = execa('docker', ['run', '--rm', '-i', '--platform', platform, '--user', '0:0', ...(options.docker ?? ['--network', 'none']), '--entrypoint', '/bin/sh', image, '-c',
      `tar -C / -xf - --no-same-owner && ${unpack} && exec setpriv --reuid=${uid} --regid=${gid} --clear-groups /bin/sh -c "$0"`, script], { reject: false });
    tar.stdout!.pipe(run.stdin!);
    await tar;
    const result = await run;
    if (result.exitCode !== 0) throw new Error(`container run failed (${result.exitCode}): ${result.stderr}`);
    return String(result.stdout);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Copies a directory into a fresh container of `arch` from `image` (as a tar through stdin, like
 * the engine's archive API) and runs `script` there as an unprivileged user, as Lambda does.
 */
export function runInContainer(image: string, arch: ArchName, dir: string, target: string, script: string, user = '993:990'): Promise<string> {
  return runWithMounts(image, arch, [{ dir, target }], script, { user });
}
