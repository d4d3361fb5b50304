// Reads one file out of an image through the engine API: a container is created (never started),
// the file copied out as a tar, the container removed.
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { ExternalError } from '../errors.js';
import type { Architecture } from '../runtimes.js';
import type { Engine } from './engine.js';
import { OWNER_LABEL, ownerLabel } from './container.js';

export async function readImageFile(engine: Engine, image: string, arch: Architecture, file: string): Promise<Buffer> {
  const docker = await engine.client();
  const container = await docker.createContainer({ Image: image, Cmd: ['true'], Labels: { [OWNER_LABEL]: ownerLabel() }, platform: arch.dockerPlatform } as Parameters<typeof docker.createContainer>[0]);
  try {
    const archive = await container.getArchive({ path: file }) as unknown as Readable;
    const extract = tar.extract();
    let content: Buffer | undefined;
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => { if (header.type === 'file' && content === undefined) content = Buffer.concat(chunks); next(); });
    });
    await new Promise<void>((resolve, reject) => {
      extract.on('finish', resolve).on('error', reject);
      archive.on('error', reject).pipe(extract as unknown as NodeJS.WritableStream);
    });
    if (content === undefined) throw new Error('it is not a regular file');
    return content;
  } catch (error) {
    throw new ExternalError('IMAGE_FILE', `Could not copy ${file} out of the image ${image} on the engine at ${engine.address}: ${(error as Error).message}`, {}, { cause: error });
  } finally {
    await container.remove({ force: true }).catch(() => {});
  }
}
