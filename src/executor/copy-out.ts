// Copies an install's output out of its stopped container: extracted safely, and every symlink
// that points outside the output either materialised (its target lies in the build) or refused.
// Nothing is dropped: a link that cannot ship is an error naming it.
import { mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ExternalError } from '../errors.js';
import type { FinishedContainer } from '../docker/container.js';
import { extractTar, type ExternalLink } from '../docker/extract.js';

export interface CopyOutOptions {
  /** Container directories whose content may be copied in place of a link into them (the build). */
  readonly materialiseWithin: readonly string[];
  /** The task, for messages. */
  readonly task: string;
}

/** Links through links: deeper than this is a loop or a tree no package needs. */
const MAX_DEPTH = 8;

function inside(target: string, dir: string): boolean {
  return target === dir || target.startsWith(`${dir}/`);
}

function refused(task: string, link: ExternalLink, containerPath: string, why: string): ExternalError {
  return new ExternalError('LINK_OUTSIDE_OUTPUT',
    `${task}: the install's output ${containerPath} has a symlink ${link.path} → ${link.linkname}, which ${why}; the zip would hold a link to nothing. ` +
    'Make the build copy what the link points to instead of linking it (npm: install-links=true in the function\'s .npmrc; make: cp instead of ln -s), or remove the link.',
    { fix: 'copy the target instead of linking it' });
}

async function materialise(finished: FinishedContainer, link: ExternalLink, containerPath: string, dest: string, options: CopyOutOptions, depth: number, seen: ReadonlySet<string>): Promise<void> {
  const target = link.target;
  if (target === undefined || !options.materialiseWithin.some((dir) => inside(target, dir))) {
    throw refused(options.task, link, containerPath, `points outside it${target ? ` (to ${target})` : ''} and outside the build`);
  }
  if (depth >= MAX_DEPTH || seen.has(target)) throw refused(options.task, link, containerPath, 'leads through a loop of links');
  const at = path.join(dest, ...link.path.split('/'));
  const stat = await finished.statPath(target);
  if (!stat) throw refused(options.task, link, containerPath, `points to ${target}, which does not exist`);
  if (stat.kind === 'symlink') {
    const next = stat.linkTarget!.startsWith('/') ? stat.linkTarget! : path.posix.resolve(path.posix.dirname(target), stat.linkTarget!);
    await materialise(finished, { ...link, target: next }, containerPath, dest, options, depth + 1, new Set([...seen, target]));
    return;
  }
  if (stat.kind === 'other') throw refused(options.task, link, containerPath, `points to ${target}, which is not a file or directory`);
  const what = `${options.task}: the copy of ${target} (the target of ${link.path}) out of the container`;
  if (stat.kind === 'directory') {
    await rm(at, { recursive: true, force: true });
    const extraction = await extractTar(await finished.copyOut(target), at, { strip: 1, root: target, what });
    for (const inner of extraction.externalLinks) {
      await materialise(finished, { ...inner, path: `${link.path}/${inner.path}` }, containerPath, dest, options, depth + 1, new Set([...seen, target]));
    }
    return;
  }
  // A file: the archive holds one entry, its base name.
  const temp = await mkdtemp(`${at}.materialise-`);
  try {
    await extractTar(await finished.copyOut(target), temp, { what });
    await rm(at, { recursive: true, force: true });
    await rename(path.join(temp, path.posix.basename(target)), at);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * Extracts `containerPath` of the stopped container into `dest` (its content, not the directory
 * itself), lets `prune` remove what never ships, then materialises (or refuses) every link out of
 * the output that still ships.
 */
export async function copyOutTree(finished: FinishedContainer, containerPath: string, dest: string, options: CopyOutOptions & {
  /** Removes what never ships; returns whether a path (relative to `dest`) still ships. */
  readonly prune: () => Promise<(rel: string) => boolean>;
}): Promise<void> {
  const extraction = await extractTar(await finished.copyOut(containerPath), dest, {
    strip: 1, root: containerPath, what: `${options.task}: the copy of ${containerPath} out of the container`,
  });
  const ships = await options.prune();
  for (const link of extraction.externalLinks) {
    if (ships(link.path)) await materialise(finished, link, containerPath, dest, options, 0, new Set());
  }
}
