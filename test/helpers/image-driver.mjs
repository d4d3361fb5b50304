// Assembles the image-function fixture's image with the compiled modules (dist/, as users run
// lambda-pack) and prints its manifest digest: the image tests run it as another user with a fresh
// cache and compare. Usage: node image-driver.mjs <registry> <arch> <fixture dir>
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');
const image = await import(path.join(dist, 'image/index.js'));
const { walkSource } = await import(path.join(dist, 'package/sources.js'));
const { ARCHITECTURES, runtime, runtimeBaseImage } = await import(path.join(dist, 'runtimes.js'));

const [registry, arch, dir] = process.argv.slice(2);
const provided = runtime('provided.al2023');
const inputsOf = async (d) => (await walkSource(d, { artifact: 'image-function', produced: true })).map((e) => (
  e.kind === 'directory' ? { path: e.path, kind: 'directory' }
    : e.kind === 'symlink' ? { path: e.path, kind: 'symlink', linkTarget: e.linkTarget }
      : { path: e.path, kind: 'file', source: e.absolute, executable: e.executable }));
const registries = new image.Registries({ trust: image.trustFrom() });
const base = await image.resolveBaseImage(registries, image.mirrorImage(runtimeBaseImage(provided, ARCHITECTURES[arch]), { prefix: `${registry}/ecr-public` }), ARCHITECTURES[arch]);
const built = await image.buildFunctionImage({
  base, arch: ARCHITECTURES[arch], runtime: provided, handler: 'function.handler', store: new image.BlobStore(path.join(process.env.LAMBDA_PACK_CACHE_DIR ?? path.join(os.homedir(), '.cache/lambda-pack'), 'images')),
  parts: [
    { name: 'layer tools', root: 'opt', inputs: await inputsOf(path.join(dir, 'opt')) },
    { name: 'function code', root: 'var/task', inputs: await inputsOf(path.join(dir, 'code')) },
  ],
});
process.stdout.write(JSON.stringify({ digest: built.image.manifestDigest, layers: built.layers.map((l) => l.digest) }));
