// An sdist archive of the function's own (a local archive requirement, or an sdist in one of its
// wheelhouses), read on the host without unpacking it: the member paths and the top-level
// pyproject.toml and setup.py, judged as a local project would be (pip-local.ts). .tar.gz, .tgz
// and .zip are read; .tar.bz2 and .tar.xz (no decompressor in Node) and unreadable archives are
// undefined, which keeps them out of a cross-compile.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { ZipArchive } from '../../zip/read/archive.js';
import { describeProject, type LocalProject } from '../pip-local.js';
import { parseSdistName } from '../pip-tags.js';

/** Build files bigger than this are not a project's own: the judgement reads none. */
const MAX_BUILD_FILE = 1024 * 1024;
const BUILD_FILES = new Set(['pyproject.toml', 'setup.py']);

interface Members { paths: string[]; texts: Map<string, string> }

/** The member's path below the sdist's single top directory (`cfast-0.1.0/setup.py` → `setup.py`). */
function inProject(name: string): string | undefined {
  const parts = name.replace(/^\.\//, '').split('/').filter(Boolean);
  return parts.length > 1 ? parts.slice(1).join('/') : undefined;
}

async function tarMembers(file: string): Promise<Members> {
  const members: Members = { paths: [], texts: new Map() };
  const extract = tar.extract();
  extract.on('entry', (header, body, next) => {
    const member = inProject(header.name);
    if (member !== undefined && header.type === 'file') members.paths.push(member);
    const wanted = member !== undefined && BUILD_FILES.has(member) && (header.size ?? 0) <= MAX_BUILD_FILE;
    const chunks: Buffer[] = [];
    body.on('data', (chunk: unknown) => { if (wanted) chunks.push(chunk as Buffer); });
    body.on('end', () => {
      if (wanted) members.texts.set(member, Buffer.concat(chunks).toString('utf8'));
      next();
    });
    body.resume();
  });
  // tar-stream's streams are streamx streams: they pipe like Node's but are typed apart.
  await pipeline(createReadStream(file), createGunzip(), extract as unknown as NodeJS.WritableStream);
  return members;
}

function zipMembers(file: string): Members {
  const archive = ZipArchive.open(file);
  try {
    const members: Members = { paths: [], texts: new Map() };
    for (const entry of archive.entries) {
      const member = inProject(entry.name);
      if (member === undefined || entry.name.endsWith('/')) continue;
      members.paths.push(member);
      if (BUILD_FILES.has(member)) members.texts.set(member, archive.readAll(entry, MAX_BUILD_FILE).toString('utf8'));
    }
    return members;
  } finally {
    archive.close();
  }
}

/** The sdist at `file` judged as a project; undefined when lambda-pack cannot read it on the host. */
export async function readSdistProject(file: string): Promise<LocalProject | undefined> {
  const base = path.basename(file);
  let members: Members;
  try {
    if (/\.(?:tar\.gz|tgz)$/i.test(base)) members = await tarMembers(file);
    else if (/\.zip$/i.test(base)) members = zipMembers(file);
    else return undefined;
    const pyproject = members.texts.get('pyproject.toml');
    const setup = members.texts.get('setup.py');
    return describeProject({
      where: `${file}:`, fallbackName: parseSdistName(base)?.project ?? base, paths: members.paths,
      ...(pyproject !== undefined ? { pyproject } : {}), ...(setup !== undefined ? { setup } : {}),
    });
  } catch {
    // Unreadable, or a pyproject.toml lambda-pack cannot parse: the build itself will say what is wrong.
    return undefined;
  }
}
