// One build at a time per output directory: a lock file created exclusively, holding the owner's
// pid. A second run waits for the first (saying so), and takes over a lock whose owner died.
import { mkdir, open, readFile, rm, rmdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ExternalError, InterruptedError } from '../errors.js';
import { processAlive } from '../process.js';

export const LOCK_NAME = '.lambda-pack.lock';

interface Holder { pid: number; host: string; started: string }

function alive(holder: Holder): boolean {
  if (holder.host !== os.hostname()) return true; // another machine's run (shared disk): trust it
  return processAlive(holder.pid);
}

export interface OutDirLock { release(): Promise<void> }

export async function lockOutDir(outDir: string, options: {
  signal: AbortSignal; onWait?: (holder: Holder) => void; timeoutMs?: number; pollMs?: number;
}): Promise<OutDirLock> {
  // An output directory made only for the lock goes again with it, if nothing was written there.
  const created = await mkdir(outDir, { recursive: true });
  const file = path.join(outDir, LOCK_NAME);
  const me: Holder = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  let told = false;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(JSON.stringify(me));
      await handle.close();
      return {
        release: async () => {
          await rm(file, { force: true });
          if (created) await rmdir(created).catch(() => {});
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ExternalError('OUTPUT_UNWRITABLE', `Cannot create ${file}: ${(error as Error).message}. Check that the output directory is writable.`, {}, { cause: error });
      }
    }
    const holder = await readFile(file, 'utf8').then((t) => JSON.parse(t) as Holder, () => undefined);
    // A lock being written right now reads as empty: look again shortly. A dead owner's lock goes.
    if (holder && !alive(holder)) { await rm(file, { force: true }); continue; }
    if (holder && !told) { options.onWait?.(holder); told = true; }
    if (Date.now() > deadline) {
      throw new ExternalError('OUTPUT_LOCKED', `${outDir} is still being written by another lambda-pack build (pid ${holder?.pid ?? '?'}). Wait for it, or use another --out.`);
    }
    if (options.signal.aborted) throw new InterruptedError(options.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}
