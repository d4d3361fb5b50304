// What an engine says about an image (inspect, architecture check) and how its progress streams
// (pull, build, load) are read to their end. Shared by the image resolver and the recipe builder.
import type Docker from 'dockerode';
import { ExternalError } from '../errors.js';
import type { Architecture } from '../runtimes.js';
import type { Engine } from './engine.js';

/** The image's inspect data, or undefined when the engine has no such image. */
export async function inspectImage(engine: Engine, ref: string): Promise<Docker.ImageInspectInfo | undefined> {
  let answer: { status: number; body: unknown };
  try { answer = await engine.get(`/images/${encodeURIComponent(ref)}/json`); } catch (error) {
    throw new ExternalError('ENGINE_FAILED', `The engine at ${engine.address} failed to inspect image ${ref}: ${(error as Error).message}`, {}, { cause: error });
  }
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw new ExternalError('ENGINE_FAILED', `The engine at ${engine.address} answered ${answer.status} inspecting image ${ref}: ${JSON.stringify(answer.body)}`);
  return answer.body as Docker.ImageInspectInfo;
}

export function checkArchitecture(ref: string, info: Pick<Docker.ImageInspectInfo, 'Architecture' | 'Os'>, arch: Architecture): void {
  if (info.Architecture !== arch.dockerArch || info.Os !== 'linux') {
    throw new ExternalError('IMAGE_WRONG_ARCH',
      `Image ${ref} is ${info.Os}/${info.Architecture}, but this task builds for ${arch.name} (${arch.dockerPlatform}). ` +
      `lambda-pack does not build in an image of another architecture, since the result would not load on Lambda. ` +
      `Use an image made for ${arch.dockerPlatform} (for example a ${arch.name} tag of the same image) in the "images" section of the config.`,
      { fix: `configure a ${arch.dockerPlatform} image` });
  }
}

/**
 * Reads an engine's JSON progress stream (build, load) to its end; rejects on a transport error
 * or on an `error` event in the stream, which the engine sends instead of a failing status.
 */
export function followToEnd(docker: Docker, stream: NodeJS.ReadableStream, onEvent?: (event: { stream?: string }) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (error, events: { error?: string }[] = []) => {
      const failed = error ?? events.find((e) => e.error)?.error;
      failed ? reject(new Error(typeof failed === 'string' ? failed : (failed as Error).message)) : resolve();
    }, onEvent);
  });
}
