// The install step: runs a plan's install in a container of its image (inputs copied in through
// the engine's archive API, caches in the engine's volume, as the invoking user) and copies the
// output out, safely and whole, then drops what never ships.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CONTAINER } from '../builders/types.js';
import { ExternalError } from '../errors.js';
import type { HostFacts } from '../host.js';
import { packEntries } from '../docker/archive.js';
import { withContainer } from '../docker/container.js';
import type { Engine } from '../docker/engine.js';
import type { ResolvedImage } from '../docker/images.js';
import { ensureCacheVolume } from '../docker/volumes.js';
import { isLoadableProduct, pruneBuildTrees } from '../package/build-trees.js';
import { pruneTree } from '../package/prune.js';
import { walkSource } from '../package/sources.js';
import picomatch from 'picomatch';
import { architecture } from '../runtimes.js';
import type { TaskPlan } from '../plan/types.js';
import { copyOutTree } from './copy-out.js';
import { renderScript } from './script.js';
import type { TaskReporter } from './services.js';

export interface InstallContext {
  readonly engine: Engine;
  readonly host: HostFacts;
  readonly runId: string;
  readonly signal: AbortSignal;
  /** Host CA bundle files made available to builds (config `certificates`). */
  readonly certificates: readonly string[];
  readonly memoryBytes?: number;
}

/** How this one install runs. */
export interface InstallOptions {
  /** --no-cache: compile afresh, reading nothing from the compiler cache (its results are still stored). */
  readonly fresh: boolean;
  /** A host directory copied into the container at `at` first (a hybrid's parts, built on the target). */
  readonly offered?: { readonly dir: string; readonly at: string };
}

/** The container's environment: the plan's, plus the values of its passEnv names from the host. */
function containerEnv(plan: TaskPlan, host: HostFacts): Record<string, string> {
  const env = { ...plan.install!.env };
  for (const name of plan.install!.passEnv) {
    const value = host.env[name];
    // The plan checked every name is set; a value that vanished since is passed as empty.
    env[name] = value ?? '';
  }
  return env;
}

/**
 * Hides the values of the plan's passEnv variables (tokens, passwords) in what the install
 * printed: its log lines and the tail a failure carries reach the terminal, CI logs and, through a
 * cross compile's fallback reason, the manifest. Values under 4 characters are left (they would
 * hide ordinary words).
 */
export function redactor(plan: TaskPlan, host: HostFacts): (text: string) => string {
  const secrets = plan.install!.passEnv.map((name) => host.env[name] ?? '').filter((value) => value.length >= 4).sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (text) => text;
  return (text) => secrets.reduce((out, secret) => out.split(secret).join('***'), text);
}

/**
 * A host directory as an input at the container path `at` (at least two levels deep, its
 * parent's parent already there: /tmp): every directory below that is the build user's, as the
 * steps would have made it.
 */
async function offeredInput(plan: TaskPlan, offered: { readonly dir: string; readonly at: string }, owner: HostFacts['owner']): Promise<{ dir: string; tar: () => ReturnType<typeof packEntries> }> {
  const [root, top, ...below] = offered.at.split('/').filter(Boolean);
  const within = below.join('/');
  const files = await walkSource(offered.dir, { artifact: plan.name, produced: true });
  const dirs = below.map((_, i) => below.slice(0, i + 1).join('/'));
  const entries = [
    ...dirs.map((d) => ({ path: d, kind: 'directory' as const, absolute: offered.dir, executable: true, size: 0 })),
    ...files.map((e) => ({ ...e, path: within ? `${within}/${e.path}` : e.path })),
  ];
  return { dir: `/${root}`, tar: () => packEntries(entries, top!, owner) };
}

export async function runInstall(plan: TaskPlan, image: ResolvedImage, dest: string, context: InstallContext, reporter: TaskReporter, options: InstallOptions): Promise<void> {
  const { offered } = options;
  const install = plan.install!;
  const { engine, host } = context;
  const redact = redactor(plan, host);
  const owner = host.owner;
  const certificates = await Promise.all(context.certificates.map((file) => readFile(file)));
  const inputs = [{ dir: '/', tar: () => packEntries(install.inputs, CONTAINER.build.slice(1), owner, install.generated) }];
  if (certificates.length > 0) {
    inputs.push({ dir: '/', tar: () => packEntries([], CONTAINER.support.slice(1), owner, [{ path: path.basename(CONTAINER.caBundle), content: Buffer.concat(certificates) }]) });
  }
  if (offered) inputs.push(await offeredInput(plan, offered, owner));
  const buildArch = architecture(plan.strategy.buildArch);
  const volume = await ensureCacheVolume(engine, buildArch, image.ref, context.runId);
  reporter.status(`installing (${plan.builder}, ${plan.strategy.kind}) in ${image.ref}`);
  await withContainer(engine, {
    purpose: 'install',
    volumes: [{ name: volume, mount: CONTAINER.cache }],
    image: image.ref,
    arch: buildArch,
    cmd: ['/bin/sh', '-c', renderScript(install.steps, {
      uid: owner.uid, extraCertificates: certificates.length > 0,
      ...(install.compilerCache ? { compilerCache: { imageId: image.id, uid: owner.uid, fresh: options.fresh } } : {}),
    })],
    env: containerEnv(plan, host),
    workdir: install.workdir,
    user: `${owner.uid}:${owner.gid}`,
    inputs,
    memoryBytes: context.memoryBytes,
    name: `lambda-pack-${context.runId}-${plan.id}`,
  }, { runId: context.runId, signal: context.signal, onLog: (line) => reporter.log(redact(line)) }, async (finished) => {
    if (finished.oomKilled) {
      throw new ExternalError('BUILD_OOM', `${plan.id}: the ${plan.builder} build step ran out of memory (OOM-killed) in ${image.ref}. Raise docker.memory in the config or the engine's memory limit.`,
        { exitCode: finished.exitCode, logTail: redact(finished.logTail.join('\n')) });
    }
    if (finished.exitCode !== 0) {
      throw new ExternalError('BUILD_FAILED', `${plan.id}: the ${plan.builder} build step failed with exit code ${finished.exitCode} in ${image.ref}.`,
        { exitCode: finished.exitCode, logTail: redact(finished.logTail.join('\n')) });
    }
    reporter.status('copying results out');
    if (!await finished.statPath(install.output)) {
      if (install.outputOptional) return;
      throw new ExternalError('INSTALL_OUTPUT_MISSING', `${plan.id}: the ${plan.builder} build step succeeded but left nothing at ${install.output} in the container, so there is nothing to package. ` +
        `Check that the build puts its output there${plan.builder === 'make' ? ' (the Makefile must install into $(ARTIFACTS_DIR))' : ''}.`, { logTail: redact(finished.logTail.join('\n')) });
    }
    await copyOutTree(finished, install.output, dest, {
      task: plan.id, materialiseWithin: install.materialiseWithin,
      prune: () => pruneOutput(dest, install),
    });
  });
}

/** Drops what never ships from a copied-out install; says whether a path still ships afterwards. */
async function pruneOutput(dest: string, install: NonNullable<TaskPlan['install']>): Promise<(rel: string) => boolean> {
  const dropped = picomatch([...install.drop], { dot: true });
  if (install.drop.length > 0) await pruneTree(dest, (rel) => !dropped(rel));
  const trees = install.pruneBuildTrees ? await pruneBuildTrees(dest) : [];
  return (rel) => {
    if (install.drop.length > 0 && rel.split('/').some((_, i, parts) => dropped(parts.slice(0, i + 1).join('/')))) return false;
    const tree = trees.find((t) => rel.startsWith(`${t.path}/`));
    return !tree || (!tree.whole && isLoadableProduct(rel.slice(tree.path.length + 1)));
  };
}
