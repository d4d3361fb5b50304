import { it } from 'vitest';
import { verifyZip } from '../../src/verify/index.js';
import { renderHuman } from '../../src/verify/report.js';
import { architecture, runtime } from '../../src/runtimes.js';
import { corpusDir, makeZip, treeEntries } from '../verify-corpus/corpus.js';
import { join } from 'node:path';

it('scratch', async () => {
  const c = corpusDir();
  const zip = makeZip([
    ...treeEntries(join(c, 'npm/datadog-pprof/package'), 'node_modules/@datadog/pprof/'),
    ...treeEntries(join(c, 'npm/img-sharp-linux-x64/package'), 'node_modules/@img/sharp-linux-x64/'),
    ...treeEntries(join(c, 'npm/node-rs-crc32-linux-x64-musl/package'), 'node_modules/@node-rs/crc32-linux-x64-musl/'),
    ...treeEntries(join(c, 'npm/esbuild-darwin-arm64/package'), 'node_modules/@esbuild/darwin-arm64/'),
    ...treeEntries(join(c, 'npm/fsevents/package'), 'node_modules/fsevents/'),
    ...treeEntries(join(c, 'deb/trixie/amd64/tree'), ''),
    ...treeEntries(join(c, 'deb/bookworm/amd64/python3-yaml'), ''),
    ...treeEntries(join(c, 'deb/bookworm/arm64/python3-cryptography'), ''),
    { name: 'index.mjs', text: 'export const handler = 1', mode: 0o600 },
  ]);
  for (const rt of ['nodejs22.x', 'python3.12']) {
    const t = performance.now();
    const r = await verifyZip(zip, { runtime: runtime(rt), arch: architecture('x86_64'), handler: 'index.handler' });
    console.log(performance.now() - t, renderHuman([r]));
  }
});
