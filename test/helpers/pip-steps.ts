// Runs a planned Python install (src/builders/python/install-steps.ts) for real, the way the
// builder does: its TaskPlan steps (planSteps) rendered by the executor's own renderScript, the
// source copied to /build, run as an unprivileged user with the reproducible environment and a
// cold pip cache, in a container of the task's architecture. Returns a listing of what it installed (path, mode,
// sha256) to compare runs byte for byte.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { COMPILER_FLAGS, REPRODUCIBLE_ENV } from '../../src/builders/environment.js';
import type { PythonInstall } from '../../src/builders/python/install-steps.js';
import { planSteps } from '../../src/builders/python/plan-steps.js';
import { CONTAINER } from '../../src/builders/types.js';
import { renderScript } from '../../src/executor/script.js';
import { quote } from '../../src/executor/shell.js';
import { ARCHITECTURES, type ArchName } from '../../src/runtimes.js';

export interface InstallRun {
  /** One line per installed file: `./path mode sha256` (links: `./path -> target`), sorted. */
  readonly listing: string;
  /** What `check` printed. */
  readonly checked: string;
  readonly log: string;
  readonly exitCode: number;
}

export interface InstallRunOptions {
  readonly image: string;
  readonly arch: ArchName;
  /** The function's source directory, copied to /build. */
  readonly source: string;
  /** Task environment (env + passEnv values), on top of the reproducible one. */
  readonly env?: Readonly<Record<string, string>>;
  readonly network?: 'none' | 'bridge';
  /** Extra CA certificates (PEM), trusted as `certificates:` makes builds trust them. */
  readonly caBundle?: string;
  /** Files copied to container paths before the steps (a netrc the config names). */
  readonly extraFiles?: readonly { readonly from: string; readonly to: string }[];
  /** Shell run after the install, in the output directory; its stdout is returned. */
  readonly check?: string;
}

const BEGIN = '--- lambda-pack listing ---';
const CHECK = '--- lambda-pack check ---';

const UID = 993;

function script(install: PythonInstall, options: InstallRunOptions): string {
  const steps = [
    ...planSteps(install),
    { run: ['cd', install.output] },
    { require: `echo ${quote(BEGIN)}`, message: 'unreachable' },
    { require: `find . ! -type d | LC_ALL=C sort | while IFS= read -r f; do if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"; else echo "$f $(stat -c %a "$f") $(sha256sum < "$f" | cut -d' ' -f1)"; fi; done`, message: 'listing failed' },
    { require: `echo ${quote(CHECK)}`, message: 'unreachable' },
    { require: options.check ?? 'true', message: 'the check failed' },
  ];
  return `cd ${CONTAINER.build}\n${renderScript(steps, { uid: UID, extraCertificates: options.caBundle !== undefined })}`;
}

export async function runInstall(install: PythonInstall, options: InstallRunOptions): Promise<InstallRun> {
  const staging = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-pip-steps-'));
  chmodSync(staging, 0o755);
  try {
    cpSync(options.source, path.join(staging, CONTAINER.build), { recursive: true, verbatimSymlinks: true });
    if (options.caBundle) { mkdirSync(path.join(staging, CONTAINER.support), { recursive: true }); cpSync(options.caBundle, path.join(staging, CONTAINER.caBundle)); }
    for (const extra of options.extraFiles ?? []) { mkdirSync(path.join(staging, path.dirname(extra.to)), { recursive: true }); cpSync(extra.from, path.join(staging, extra.to)); }
    const env = { ...REPRODUCIBLE_ENV, ...COMPILER_FLAGS, ...install.env, ...options.env };
    const tar = execa('tar', ['-C', staging, '-cf', '-', '.']);
    const run = execa('docker', ['run', '--rm', '-i', '--platform', ARCHITECTURES[options.arch].dockerPlatform, '--network', options.network ?? 'none',
      '--label', 'dev.lambda-pack.test=pip-steps', '--tmpfs', `${CONTAINER.cache}:mode=1777,exec`, '--user', '0:0',
      ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      '--entrypoint', '/bin/sh', options.image, '-c',
      `tar -C / -xf - --no-same-owner && chown -R ${UID}:990 ${CONTAINER.build} ${CONTAINER.support} 2>/dev/null; chmod 755 ${CONTAINER.build} && exec setpriv --reuid=${UID} --regid=990 --clear-groups /bin/sh -c "$0"`,
      script(install, options)], { reject: false, maxBuffer: 64 * 1024 * 1024 });
    tar.stdout!.pipe(run.stdin!);
    await tar;
    const result = await run;
    const stdout = String(result.stdout);
    const listing = stdout.includes(BEGIN) ? stdout.slice(stdout.indexOf(BEGIN) + BEGIN.length, stdout.indexOf(CHECK)).trim() : '';
    const checked = stdout.includes(CHECK) ? stdout.slice(stdout.indexOf(CHECK) + CHECK.length).trim() : '';
    return { listing, checked, log: `${stdout}\n${String(result.stderr)}`, exitCode: result.exitCode ?? -1 };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The image of the local python3.11 set for an architecture (built by setup-machine.sh). */
export async function localPythonImage(arch: ArchName): Promise<string> {
  return localImage('python3.11', arch);
}

/** The newest local build image of a runtime for an architecture (lambda-pack-local/<runtime>:<arch>-<hash>). */
export async function localImage(runtime: string, arch: ArchName): Promise<string> {
  const { stdout } = await execa('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', `lambda-pack-local/${runtime}`]);
  const image = String(stdout).split('\n').find((ref) => ref.includes(`:${arch}-`));
  if (!image) throw new Error(`no lambda-pack-local/${runtime} image for ${arch}: run bash scripts/setup-machine.sh`);
  return image;
}
