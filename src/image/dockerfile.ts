// Dockerfile functions: the image built through the engine API for the task's platform (the classic
// builder: no buildx, no attestations, works on remote engines), build args passed, and the result
// refused unless it is one image of exactly that platform.
import { createReadStream } from 'node:fs';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import tar from 'tar-stream';
import type { Engine } from '../docker/engine.js';
import { checkArchitecture, followToEnd, inspectImage } from '../docker/image-info.js';
import { ConfigError, ExternalError } from '../errors.js';
import type { Architecture } from '../runtimes.js';

export interface DockerfileBuild {
  /** The build context directory (absolute). */
  readonly context: string;
  /** The Dockerfile, relative to the context; default Dockerfile. */
  readonly dockerfile?: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly arch: Architecture;
  /** The tag the engine gives the result (e.g. lambda-pack/<function>:<arch>-build). */
  readonly tag: string;
  readonly progress?: (line: string) => void;
}

export interface BuiltImage {
  readonly ref: string;
  /** The engine's image ID. */
  readonly id: string;
}

const EPOCH = new Date(Date.UTC(1980, 0, 1));

/** .dockerignore as Docker reads it: one pattern a line, `#` comments, `!` re-includes; a match covers everything below it. */
export function dockerignore(text: string): (relPath: string) => boolean {
  const rules = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .map((l) => ({ negate: l.startsWith('!'), pattern: l.replace(/^!/, '').replace(/^\/+/, '').replace(/\/+$/, '') }))
    .filter((r) => r.pattern)
    .map((r) => ({ negate: r.negate, matches: picomatch(path.posix.normalize(r.pattern), { dot: true }) }));
  return (relPath) => {
    const prefixes = relPath.split('/').map((_, i, all) => all.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of rules) if (prefixes.some((p) => rule.matches(p))) excluded = !rule.negate;
    return excluded;
  };
}

/** The context as a tar: sorted, fixed mtime, owner 0:0, the files' own modes (COPY keeps them). */
async function contextTar(context: string, dockerfile: string): Promise<NodeJS.ReadableStream> {
  const ignoreText = await readFile(path.join(context, '.dockerignore'), 'utf8').catch(() => '');
  const ignored = dockerignore(ignoreText);
  const pack = tar.pack();
  const always = new Set([dockerfile, '.dockerignore']);
  const visit = async (dir: string, rel: string): Promise<void> => {
    const names = (await readdir(dir)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const name of names) {
      const relPath = rel ? `${rel}/${name}` : name;
      if (ignored(relPath) && !always.has(relPath)) continue;
      const absolute = path.join(dir, name);
      const info = await lstat(absolute);
      const header = { name: relPath, mtime: EPOCH, mode: info.mode & 0o7777, uid: 0, gid: 0 };
      if (info.isSymbolicLink()) pack.entry({ ...header, type: 'symlink', linkname: await readlink(absolute) });
      else if (info.isDirectory()) { pack.entry({ ...header, type: 'directory' }); await visit(absolute, relPath); }
      else if (info.isFile()) {
        // Streamed: a context may hold a model of gigabytes.
        await new Promise<void>((resolve, reject) => {
          const sink = pack.entry({ ...header, size: info.size }, (error) => error ? reject(error) : resolve());
          createReadStream(absolute).on('error', reject).pipe(sink);
        });
      }
    }
  };
  void visit(context, '').then(() => pack.finalize(), (error: unknown) => pack.destroy(error as Error));
  return pack as unknown as NodeJS.ReadableStream;
}

/** Builds the Dockerfile for `arch` on `engine`; the result is checked to be linux/<arch>. */
export async function buildDockerfile(engine: Engine, build: DockerfileBuild): Promise<BuiltImage> {
  const dockerfile = build.dockerfile ?? 'Dockerfile';
  const file = path.resolve(build.context, dockerfile);
  if (!file.startsWith(path.resolve(build.context) + path.sep)) {
    throw new ConfigError('DOCKERFILE_OUTSIDE_CONTEXT', `The Dockerfile ${dockerfile} lies outside its context ${build.context}. Put it inside the context directory.`, { field: 'dockerfile', fix: 'move the Dockerfile into the context' });
  }
  if (!(await lstat(file).then((s) => s.isFile(), () => false))) {
    throw new ConfigError('DOCKERFILE_MISSING', `There is no Dockerfile at ${file}. Create it, or set dockerfile to its path relative to ${build.context}.`, { file, field: 'dockerfile', fix: 'point dockerfile at an existing file' });
  }
  const log: string[] = [];
  const progress = build.progress ?? (() => {});
  try {
    const docker = await engine.client();
    const stream = await docker.buildImage(await contextTar(build.context, dockerfile), {
      t: build.tag, dockerfile, buildargs: { ...build.buildArgs }, platform: build.arch.dockerPlatform, rm: true, forcerm: true,
    } as Record<string, unknown>);
    await followToEnd(docker, stream, (event) => {
      for (const line of (event.stream ?? '').split('\n').filter(Boolean)) { log.push(line); progress(line); }
    });
  } catch (error) {
    throw new ExternalError('DOCKERFILE_BUILD_FAILED', `Building ${file} for ${build.arch.dockerPlatform} on the engine at ${engine.address} failed: ${(error as Error).message}`,
      { logTail: log.slice(-30).join('\n') }, { cause: error });
  }
  const info = await inspectImage(engine, build.tag);
  if (!info) throw new ExternalError('DOCKERFILE_BUILD_FAILED', `The engine at ${engine.address} finished building ${file} but has no image ${build.tag}.`);
  // A FROM image of another platform builds "successfully" under emulation into an image Lambda would refuse.
  checkArchitecture(build.tag, info, build.arch);
  return { ref: build.tag, id: info.Id };
}
