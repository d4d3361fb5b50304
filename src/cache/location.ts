// Where lambda-pack keeps its per-user cache: $LAMBDA_PACK_CACHE_DIR, else the platform's own.
import path from 'node:path';
import type { HostFacts } from '../host.js';

export function cacheRoot(host: Pick<HostFacts, 'env' | 'platform' | 'home'>): string {
  const { env, platform, home } = host;
  if (env.LAMBDA_PACK_CACHE_DIR) return path.resolve(env.LAMBDA_PACK_CACHE_DIR);
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'lambda-pack');
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'lambda-pack', 'Cache');
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'lambda-pack');
}
