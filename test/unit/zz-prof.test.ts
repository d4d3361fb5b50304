import { it } from 'vitest';
import { writeZip } from '../../src/package/zip.js';
it('t', async () => {
  const count = 70000;
  const inputs = Array.from({ length: count }, (_, i) => ({ path: `f/${i.toString(36)}`, kind: 'file' as const, content: Buffer.from(`${i}`) }));
  for (const c of [1, 2]) {
    const t = performance.now();
    await writeZip(inputs, '/tmp/zt/many.zip', { concurrency: c });
    console.log(c, performance.now() - t);
  }
}, 200000);
