// Executes one TaskPlan as named steps — resolve image, install, cache, package, verify, commit —
// acting on the decision made for it: reuse the zip, repackage cached dependencies, or rebuild.
// Every failure names its step; the previous zip is replaced only by a verified one.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { ExternalError, InterruptedError } from '../errors.js';
import type { ArtifactRecord } from '../package/manifest.js';
import type { Decision } from '../plan/action.js';
import { bindKeys, withBaseImage, type TaskKeys } from '../plan/keys.js';
import type { TaskPlan } from '../plan/types.js';
import type { ExecutorServices, TaskReporter } from './services.js';
import type { Finding } from '../verify/findings.js';
import type { ImageRecord } from './image.js';
import { inStep } from './step.js';

function checkSignal(signal: AbortSignal): void {
  if (signal.aborted) throw new InterruptedError(signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
}

/** A cross-compiled artifact that failed its proof (first failing finding or the install's failure). */
export class ProofRefused extends Error {}

/**
 * Runs a task whose cross compile must prove itself: when the cross install fails or the proof
 * (verify, load check) refuses its artifact, the same task is rebuilt emulated, and the record
 * says why. Other tasks run as they are.
 */
export async function runProvenTask(plan: TaskPlan, decision: Decision, services: ExecutorServices, reporter: TaskReporter, layerZips: () => Promise<string[]> = async () => []): Promise<ArtifactRecord> {
  const fallback = plan.fallback;
  if (!fallback) return runTask(plan, decision, services, reporter, layerZips);
  const started = services.now();
  let why: string;
  try {
    return await runTask(plan, decision, services, reporter, layerZips);
  } catch (error) {
    if (error instanceof ProofRefused) why = `the proof refused the cross build: ${error.message}`;
    // A compile that fails only on the cross toolchain (a -march it lacks, a probe that ran on
    // the build machine): what the emulated build says decides.
    else if (error instanceof ExternalError && error.code === 'BUILD_FAILED') why = `the cross install failed (exit ${error.details.exitCode}): ${lastLine(error.details.logTail ?? '') || 'see --verbose'}`;
    else throw error;
  }
  reporter.status(`${why}; rebuilding emulated`);
  reporter.log(`${plan.id}: ${why}; rebuilding it emulated`);
  // --no-cache holds for the emulated build too.
  const record = await runTask(fallback, { action: 'rebuild', reason: why, fallback: why, ...(decision.noCache ? { noCache: true } : {}) }, services, reporter, layerZips);
  return { ...record, durationMs: services.now() - started };
}

function textLines(text: string): string[] {
  return text.split('\n').map((line) => line.trim()).filter(Boolean);
}

/** A finding's message (the loader's output included) as one line of at most 400 characters. */
function oneLine(text: string): string {
  const joined = textLines(text).join(' ');
  return joined.length > 400 ? `${joined.slice(0, 399)}…` : joined;
}

function lastLine(text: string): string {
  return textLines(text).at(-1) ?? '';
}

/** The dependency tree to package: from the cache, or installed now (and then cached). */
async function dependencies(plan: TaskPlan, decision: Decision, work: string, services: ExecutorServices, reporter: TaskReporter): Promise<{ dir: string; keys: TaskKeys; image: string }> {
  if (decision.cachedDependencies && decision.keys && decision.image) return { dir: decision.cachedDependencies, keys: decision.keys, image: decision.image.ref };
  reporter.status('preparing image');
  const image = await inStep(plan.id, 'resolve image', () => services.resolveImage(plan));
  const known = decision.keys && decision.image?.id === image.id;
  const keys = known ? decision.keys! : bindKeys(plan.keys, image.id);
  // The image was pulled or built since the plan: its install may be cached after all.
  const cached = known || decision.noCache ? undefined : await services.cache.get(keys.dependency!);
  if (cached) return { dir: cached, keys, image: image.ref };
  const fresh = path.join(work, 'deps');
  checkSignal(services.signal);
  await inStep(plan.id, 'install', () => services.install(plan, image, fresh, reporter, { fresh: decision.noCache === true }));
  const dir = await inStep(plan.id, 'cache', async () => {
    await mkdir(fresh, { recursive: true });
    return services.cache.put(keys.dependency!, fresh, `${plan.id} in ${image.ref}`, { move: true });
  });
  return { dir, keys, image: image.ref };
}

/**
 * `layerZips` resolves, once the function's layers are built, to their zips for this architecture
 * (verification looks into them for shared libraries, a bootstrap and the total size).
 */
export async function runTask(plan: TaskPlan, decision: Decision, services: ExecutorServices, reporter: TaskReporter, layerZips: () => Promise<string[]> = async () => []): Promise<ArtifactRecord> {
  const started = services.now();
  const previous = services.previous.get(plan.id);
  if (decision.action === 'reuse' && previous) {
    return { ...previous, cacheHit: true, action: 'reuse', durationMs: services.now() - started };
  }
  checkSignal(services.signal);
  const work = await mkdtemp(path.join(services.tempDir, `lambda-pack-${services.runId}-${plan.id}-`));
  try {
    let keys = decision.keys;
    let image: string | null = null;
    let dependencyDir: string | undefined;
    if (plan.install) {
      const deps = await dependencies(plan, decision, work, services, reporter);
      ({ keys, image, dir: dependencyDir } = deps);
    }
    keys ??= bindKeys(plan.keys, undefined);
    checkSignal(services.signal);
    reporter.status('zipping');
    // The zip replaces the previous one only once verified; until then it has a name of its own.
    const staged = path.join(path.dirname(plan.output.path), `.${path.basename(plan.output.path)}.unverified-${services.runId}`);
    const zip = await inStep(plan.id, 'package', () => services.package(plan, dependencyDir, staged));
    let findings: Finding[];
    let loadCheckMs: number | undefined;
    let containerImage: ImageRecord | undefined;
    try {
      if (plan.verify.layers.length > 0) reporter.status('waiting for its layers');
      const layers = await layerZips();
      reporter.status('verifying');
      findings = await inStep(plan.id, 'verify', () => services.verify(plan, staged, layers));
      // A zip the static checks already refuse is not run: its errors say enough.
      if (plan.verify.loadCheck && !findings.some((f) => f.severity === 'error')) {
        checkSignal(services.signal);
        reporter.status('proving it loads');
        const checkStarted = services.now();
        findings.push(...await inStep(plan.id, 'load check', () => services.loadCheck(plan, staged, layers)));
        loadCheckMs = services.now() - checkStarted;
      }
      // A cross compile the proof refuses is not an error yet: its task is rebuilt emulated.
      const refusal = plan.fallback ? findings.find((f) => f.severity === 'error') : undefined;
      if (refusal) throw new ProofRefused(`${refusal.code} ${refusal.path || '(whole zip)'}: ${oneLine(refusal.message)}`);
      if (plan.output.kind === 'image' && !findings.some((f) => f.severity === 'error')) {
        checkSignal(services.signal);
        reporter.status(plan.output.image!.push ? 'building and pushing its image' : 'building its image');
        const made = await inStep(plan.id, 'image', () => services.image(plan, dependencyDir, layers, keys!.dependency));
        findings.push(...made.findings);
        containerImage = made.record;
        if (made.record) keys = withBaseImage(plan.keys, keys!, made.record.baseIdentity);
      }
      await inStep(plan.id, 'commit', () => services.commit(plan, staged, findings));
    } finally {
      // Committed, it has its own name now; otherwise it must not stay behind.
      await rm(staged, { force: true });
    }
    return {
      name: plan.name,
      kind: plan.kind,
      runtime: plan.runtime,
      runtimes: plan.runtimes,
      arch: plan.arch,
      builder: plan.builder,
      path: path.basename(plan.output.path),
      zippedBytes: zip.bytes,
      unzippedBytes: zip.unzippedBytes,
      entries: zip.entries,
      sha256: zip.sha256,
      codeSha256: zip.codeSha256,
      image,
      cacheHit: decision.action !== 'rebuild',
      strategy: plan.strategy.kind,
      action: decision.action === 'reuse' ? 'repackage' : decision.action,
      dependencyKey: keys.dependency,
      inputKey: keys.input,
      durationMs: services.now() - started,
      ...(loadCheckMs !== undefined ? { loadCheckMs } : {}),
      ...(decision.fallback ? { fallback: decision.fallback } : {}),
      ...(containerImage ? { containerImage } : {}),
      findings,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
