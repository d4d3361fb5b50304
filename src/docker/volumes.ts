// Engine volumes that keep package-manager caches (npm, pip, cargo) per architecture across
// runs, so a changed lockfile downloads only what changed. They never affect outputs.
import type { Architecture } from '../runtimes.js';
import type { Engine } from './engine.js';
import { randomBytes } from 'node:crypto';
import { ExternalError } from '../errors.js';
import { withContainer } from './container.js';

export const VOLUME_LABEL = 'dev.lambda-pack.cache';
export const CACHE_MOUNT = '/lambda-pack-cache';

export function cacheVolumeName(arch: Architecture): string {
  return `lambda-pack-cache-${arch.name}`;
}

/** Makes sure the volume exists and every build user can write to it (mode 1777, like /tmp). */
export async function ensureCacheVolume(engine: Engine, arch: Architecture, image: string, runId: string): Promise<string> {
  const name = cacheVolumeName(arch);
  const existing = await engine.get(`/volumes/${encodeURIComponent(name)}`);
  if (existing.status === 200 && (existing.body as { Labels?: Record<string, string> }).Labels?.[VOLUME_LABEL] === 'ready') return name;
  const docker = await engine.client();
  await docker.createVolume({ Name: name, Labels: { [VOLUME_LABEL]: 'ready' } }).catch(() => {});
  // A fresh volume is root-owned; open it up once, from the build image itself (nothing to pull),
  // in a container made like every other one (labelled, capabilities dropped, removed after).
  await withContainer(engine, {
    purpose: 'cache-volume', image, arch, cmd: ['chmod', '1777', CACHE_MOUNT], env: {}, workdir: '/', user: '0:0', inputs: [],
    name: `lambda-pack-${runId}-cache-${arch.name}-${randomBytes(3).toString('hex')}`, volumes: [{ name, mount: CACHE_MOUNT }], network: 'none',
  }, { runId }, async (finished) => {
    if (finished.exitCode !== 0) throw new ExternalError('CACHE_VOLUME_FAILED', `Could not open the package-manager cache volume ${name} for build users (chmod exited ${finished.exitCode} in ${image}): ${finished.logTail.join(' ')}`);
  });
  return name;
}

export async function removeCacheVolumes(engine: Engine): Promise<string[]> {
  const docker = await engine.client();
  const { Volumes } = await docker.listVolumes({ filters: { label: [VOLUME_LABEL] } });
  const names = (Volumes ?? []).map((v) => v.Name);
  await Promise.all(names.map((n) => docker.getVolume(n).remove().catch(() => {})));
  return names;
}
