// Where lambda-pack keeps its per-user cache: $LAMBDA_PACK_CACHE_DIR, else the platform's own.
import os from 'node:os';
import path from 'node:path';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.LAMBDA_PACK_CACHE_DIR) return path.resolve(env.LAMBDA_PACK_CACHE_DIR);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'lambda-pack');
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'lambda-pack', 'Cache');
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'lambda-pack');
}
