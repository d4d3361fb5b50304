// One measured run of our writer in a fresh process, as the CLI would run it: walk the tree, write the zip.
import { writeZip } from '../../src/zip/write.js';
import { walkTree } from './walk.js';

const [root, outFile, concurrency] = process.argv.slice(2);
const started = performance.now();
const tree = walkTree(root!);
const walked = performance.now();
const result = await writeZip(tree.inputs, outFile!, { concurrency: Number(concurrency) });
const finished = performance.now();
console.log(
  JSON.stringify({
    seconds: (finished - started) / 1000,
    walkSeconds: (walked - started) / 1000,
    sha256: result.sha256,
    bytes: result.bytes,
    entries: result.entries,
    unzippedBytes: result.unzippedBytes,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    cpuSeconds: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1e6,
  }),
);
