// Talks to the real engine for integration tests: presence, containers of a run, and running an
// extracted artifact in a container of its architecture.
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

/**
 * Copies a directory into a fresh container of `arch` from `image` (as a tar through stdin, like
 * the engine's archive API) and runs `script` there as an unprivileged user, as Lambda does.
 */
export async function runInContainer(image: string, arch: ArchName, dir: string, target: string, script: string, user = '993:990'): Promise<string> {
  const platform = ARCHITECTURES[arch].dockerPlatform;
  const tar = execa('tar', ['-C', dir, '-cf', '-', '.']);
  const run = execa('docker', ['run', '--rm', '-i', '--platform', platform, '--network', 'none', '--user', '0:0', '--entrypoint', '/bin/sh', image, '-c',
    `mkdir -p ${target} && tar -C ${target} -xf - --no-same-owner && chmod 755 ${target} && exec setpriv --reuid=${user.split(':')[0]} --regid=${user.split(':')[1]} --clear-groups /bin/sh -c "$0"`, script],
  { reject: false });
  tar.stdout!.pipe(run.stdin!);
  await tar;
  const result = await run;
  if (result.exitCode !== 0) throw new Error(`container run failed (${result.exitCode}): ${result.stderr}`);
  return String(result.stdout);
}
