// Executes one TaskPlan as named steps — resolve image, install, cache, package, verify, commit —
// acting on the decision made for it: reuse the zip, repackage cached dependencies, or rebuild.
// Every failure names its step; the previous zip is replaced only by a verified one.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { ExternalError, InterruptedError } from '../errors.js';
import type { ArtifactRecord } from '../package/manifest.js';
import type { Decision } from '../plan/action.js';
import { hybridPlan, partsOfFailure, partsOfRefusal, prebuildPlan, type Refused } from '../plan/hybrid.js';
import { bindKeys, imageIdentity, withBaseImage, type TaskKeys } from '../plan/keys.js';
import type { TaskPlan } from '../plan/types.js';
import type { ExecutorServices, TaskReporter } from './services.js';
import type { Finding } from '../verify/findings.js';
import type { ImageRecord } from './image.js';
import { distInfoOwners } from './owners.js';
import { inStep } from './step.js';
import { failsOnEveryArchitecture, refusalWorthEmulating } from './fallback.js';
import { crossToolchainOf, describeImage } from '../recipes.js';

function checkSignal(signal: AbortSignal): void {
  if (signal.aborted) throw new InterruptedError(signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
}

/** A cross-compiled artifact that failed its proof (first failing finding or the install's failure). */
export class ProofRefused extends Error {
  constructor(message: string, readonly refused: readonly Refused[] = [], readonly dependencies?: string) {
    super(message);
  }
}

/** Why the cross build `attempt` was refused, and the parts of the hybrid `template` it belongs to (none: not theirs, or no hybrid). */
async function refusalOf(attempt: TaskPlan, template: TaskPlan['hybrid'], error: unknown, log: (line: string) => void): Promise<{ why: string; parts: string[] }> {
  if (error instanceof ProofRefused) {
    const owners = template && error.dependencies ? await distInfoOwners(error.dependencies) : new Map<string, string>();
    const parts = template ? partsOfRefusal(template, error.refused, owners, attempt.package.dependencies?.prefix ?? '') : [];
    return { why: `the proof refused the cross build: ${error.message}`, parts };
  }
  // The official image with the cross compilers is built on first use (a pull and a download):
  // where that cannot be done, the plain image builds the task emulated, as it would without it.
  if (error instanceof ExternalError && error.step === 'resolve image' && attempt.install && crossToolchainOf(attempt.install.image) === 'zig-cc') {
    return { why: `the cross toolchain image (${describeImage(attempt.install.image)}) could not be made: ${oneLine(error.message)}`, parts: [] };
  }
  // A compile that fails only on the cross toolchain (a -march it lacks, a probe that ran on
  // the build machine): what the emulated build says decides. A registry, network or certificate
  // failure would fail it alike: that one stands.
  if (error instanceof ExternalError && error.code === 'BUILD_FAILED') {
    const tail = error.details.logTail ?? '';
    const everywhere = failsOnEveryArchitecture(tail);
    if (everywhere) {
      log(`${attempt.id}: not rebuilt emulated, the cross install's failure is not the architecture's: ${everywhere}`);
      throw error;
    }
    const failed = template ? partsOfFailure(template, tail) : { parts: [] };
    const cause = oneLine(failed.cause ?? lastLine(tail)) || 'see --verbose';
    if (error.step === 'prebuild') return { why: `the emulated build of ${attempt.prebuild?.parts.join(', ')} failed too (exit ${error.details.exitCode}): ${cause}`, parts: [] };
    if (failed.parts.length > 0) return { why: `the cross build of ${failed.parts.join(', ')} failed (exit ${error.details.exitCode}): ${cause}`, parts: failed.parts };
    return { why: `the cross install failed (exit ${error.details.exitCode}): ${lastLine(tail) || 'see --verbose'}`, parts: [] };
  }
  throw error;
}

/**
 * Runs a task whose cross compile must prove itself. When the cross install fails, or the proof
 * (verify, load check) refuses its artifact, because of parts the plan can build alone on the
 * target (TaskPlan.hybrid: a requirement whose wheel build failed, or that installed a refused
 * file), those are built emulated and the cross install takes them (hybridPlan), again while each
 * failure names new parts; otherwise, or when the hybrid fails too, the whole task is rebuilt
 * emulated. Failures the architecture cannot cause are not retried (fallback.ts). The record
 * says which parts were emulated and why. Other tasks run as they are.
 */
export async function runProvenTask(plan: TaskPlan, decision: Decision, services: ExecutorServices, reporter: TaskReporter, layerZips: () => Promise<string[]> = async () => []): Promise<ArtifactRecord> {
  const fallback = plan.fallback;
  if (!fallback) return runTask(plan, decision, services, reporter, layerZips);
  const started = services.now();
  const rebuild = (why: string): Decision => ({ action: 'rebuild', reason: why, ...(decision.noCache ? { noCache: true } : {}) });
  const original = plan.prebuild ? undefined : plan;
  let attempt = plan;
  let attemptDecision = decision;
  let why: string;
  for (;;) {
    try {
      const record = await runTask(attempt, attemptDecision, services, reporter, layerZips);
      return attempt === plan ? record : { ...record, durationMs: services.now() - started };
    } catch (error) {
      const refusal = await refusalOf(attempt, original?.hybrid, error, (line) => reporter.log(line));
      const emulated = attempt.prebuild?.parts ?? [];
      const parts = [...new Set([...emulated, ...refusal.parts])];
      const known = attempt.prebuild ? `${attempt.prebuild.why}; with ${emulated.join(', ')} built emulated, ${refusal.why}` : refusal.why;
      if (!original || parts.length === emulated.length) { why = known; break; }
      const added = refusal.parts.filter((p) => !emulated.includes(p));
      reporter.status(`${refusal.why}; building ${added.join(', ')} emulated alone, the rest cross`);
      reporter.log(`${plan.id}: ${refusal.why}; building ${added.join(', ')} alone on ${plan.arch} (emulated), then cross-installing everything with ${added.length > 1 ? 'them' : 'it'}`);
      attempt = hybridPlan(original, parts, attempt.prebuild ? known : refusal.why);
      attemptDecision = rebuild(attempt.prebuild!.why);
    }
  }
  const next = fallback.strategy.kind === 'cross' ? 'on the cross toolchain image' : 'emulated';
  reporter.status(`${why}; rebuilding ${next}`);
  reporter.log(`${plan.id}: ${why}; rebuilding it ${next}`);
  // --no-cache holds for the emulated build too; a fallback with its own (the cross toolchain
  // image before emulation) proves itself in turn.
  const record = await (fallback.fallback ? runProvenTask : runTask)(fallback, { ...rebuild(why), fallback: why }, services, reporter, layerZips);
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
  const prebuild = plan.prebuild ? prebuildPlan(plan) : undefined;
  const prebuildImage = prebuild ? await inStep(plan.id, 'resolve image', () => services.resolveImage(prebuild)) : undefined;
  const identity = imageIdentity(image.id, prebuildImage?.id);
  const known = decision.keys && decision.image?.id === identity;
  const keys = known ? decision.keys! : bindKeys(plan.keys, identity);
  // The image was pulled or built since the plan: its install may be cached after all.
  const cached = known || decision.noCache ? undefined : await services.cache.get(keys.dependency!);
  if (cached) return { dir: cached, keys, image: image.ref };
  const fresh = path.join(work, 'deps');
  checkSignal(services.signal);
  let offered: { dir: string; at: string } | undefined;
  if (prebuild && prebuildImage) {
    reporter.status(`building ${plan.prebuild!.parts.join(', ')} alone on ${plan.arch} (emulated)`);
    offered = { dir: path.join(work, 'prebuilt'), at: prebuild.install!.output };
    await inStep(plan.id, 'prebuild', () => services.install(prebuild, prebuildImage, offered!.dir, reporter, { fresh: decision.noCache === true }));
    checkSignal(services.signal);
  }
  await inStep(plan.id, 'install', () => services.install(plan, image, fresh, reporter, { fresh: decision.noCache === true, ...(offered ? { offered } : {}) }));
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
      // A cross build the proof refuses is not an error yet: its task (or the parts the refused
      // files belong to) is rebuilt emulated, unless the emulated build would be refused alike (a
      // missing handler, a secret, the size).
      const refusal = plan.fallback ? refusalWorthEmulating(findings) : undefined;
      if (refusal) throw new ProofRefused(`${refusal.code} ${refusal.path || '(whole zip)'}: ${oneLine(refusal.message)}`, findings.filter((f) => f.severity === 'error'), dependencyDir);
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
      ...(plan.prebuild ? { hybrid: { emulated: plan.prebuild.parts, why: plan.prebuild.why } } : {}),
      ...(containerImage ? { containerImage } : {}),
      findings,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
