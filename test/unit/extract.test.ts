// Extraction of archives copied out of containers: hard links become files, links are created last
// and never reached through, links out of the destination are reported, odd entries refused.
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { extractTar } from '../../src/docker/extract.js';
import { pruneTree } from '../../src/package/prune.js';

type Item = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device'; content?: string; linkname?: string; mode?: number };

function archive(items: readonly Item[]): Readable {
  const pack = tar.pack();
  for (const item of items) {
    const type = item.type ?? 'file';
    const header = { name: item.name, type, linkname: item.linkname, mode: item.mode ?? (type === 'directory' ? 0o755 : 0o644) };
    if (type === 'file') pack.entry(header, item.content ?? ''); else pack.entry(header);
  }
  pack.finalize();
  return pack as unknown as Readable;
}

const temps: string[] = [];
function temp(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-extract-'));
  temps.push(dir);
  return dir;
}
afterEach(() => { for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true }); });

describe('extractTar', () => {
  it('turns a hard link into a regular file with its target\'s content and mode', async () => {
    const dest = path.join(temp(), 'out');
    const result = await extractTar(archive([
      { name: 'node_modules/', type: 'directory' },
      { name: 'node_modules/bcrypt/build-tmp-napi-v3/Release/bcrypt_lib.node', content: 'ELF addon', mode: 0o755 },
      { name: 'node_modules/bcrypt/lib/binding/napi-v3/bcrypt_lib.node', type: 'link', linkname: 'node_modules/bcrypt/build-tmp-napi-v3/Release/bcrypt_lib.node' },
    ]), dest, { strip: 1 });
    const linked = path.join(dest, 'bcrypt/lib/binding/napi-v3/bcrypt_lib.node');
    expect(readFileSync(linked, 'utf8')).toBe('ELF addon');
    expect(lstatSync(linked).isFile()).toBe(true);
    expect(statSync(linked).mode & 0o777).toBe(0o755);
    expect(result.entries.find((e) => e.path === 'bcrypt/lib/binding/napi-v3/bcrypt_lib.node')).toMatchObject({ kind: 'file', executable: true });
  });

  it('refuses a hard link to something the archive does not hold before it', async () => {
    await expect(extractTar(archive([{ name: 'out/a.node', type: 'link', linkname: 'out/missing.node' }]), temp(), { strip: 1 }))
      .rejects.toMatchObject({ code: 'ARCHIVE_UNSAFE_ENTRY', message: expect.stringContaining('out/a.node') });
  });

  it('never writes through a symlink: a crafted chain of links is refused and nothing lands outside', async () => {
    const base = temp();
    const dest = path.join(base, 'dest');
    await expect(extractTar(archive([
      { name: 'd/', type: 'directory' },
      { name: 'd/x', type: 'symlink', linkname: '..' },
      { name: 'd/x/y', type: 'symlink', linkname: '..' },
      { name: 'y/evil', content: 'owned' },
    ]), dest)).rejects.toMatchObject({ code: 'ARCHIVE_UNSAFE_ENTRY', message: expect.stringContaining('below the symlink "d/x"') });
    expect(existsSync(path.join(base, 'evil'))).toBe(false);
  });

  it('refuses a symlink that a later entry would put files below', async () => {
    await expect(extractTar(archive([{ name: 'lib', type: 'symlink', linkname: '/etc' }, { name: 'lib/passwd', content: 'x' }]), temp()))
      .rejects.toMatchObject({ code: 'ARCHIVE_UNSAFE_ENTRY', message: expect.stringContaining('lib/passwd') });
    await expect(extractTar(archive([{ name: 'lib/passwd', content: 'x' }, { name: 'lib', type: 'symlink', linkname: '/etc' }]), temp()))
      .rejects.toMatchObject({ code: 'ARCHIVE_UNSAFE_ENTRY', message: expect.stringContaining('entries below it') });
  });

  it('refuses names that climb out of the destination', async () => {
    await expect(extractTar(archive([{ name: 'a/../../evil', content: 'x' }]), temp())).rejects.toMatchObject({ code: 'ARCHIVE_UNSAFE_ENTRY' });
  });

  it('fails naming an entry a zip cannot hold (a FIFO, a device)', async () => {
    await expect(extractTar(archive([{ name: 'out/pipe', type: 'fifo' }]), temp(), { strip: 1 }))
      .rejects.toMatchObject({ code: 'ARCHIVE_ENTRY_UNSUPPORTED', message: expect.stringContaining('"out/pipe" is a fifo') });
    await expect(extractTar(archive([{ name: 'out/tty', type: 'character-device' }]), temp(), { strip: 1 }))
      .rejects.toMatchObject({ code: 'ARCHIVE_ENTRY_UNSUPPORTED' });
  });

  it('keeps links inside the destination relative, and reports links out of it without creating them', async () => {
    const dest = temp();
    const result = await extractTar(archive([
      { name: 'node_modules/', type: 'directory' },
      { name: 'node_modules/real/index.js', content: 'module.exports = 1' },
      { name: 'node_modules/.bin/', type: 'directory' },
      { name: 'node_modules/.bin/tool', type: 'symlink', linkname: '../real/index.js' },
      { name: 'node_modules/abs', type: 'symlink', linkname: '/build/node_modules/real' },
      { name: 'node_modules/shared', type: 'symlink', linkname: '../../shared' },
      { name: 'node_modules/system', type: 'symlink', linkname: '/usr/lib/libz.so' },
    ]), dest, { strip: 1, root: '/build/node_modules' });
    expect(readlinkSync(path.join(dest, '.bin/tool'))).toBe('../real/index.js');
    expect(readlinkSync(path.join(dest, 'abs'))).toBe('real');
    expect(existsSync(path.join(dest, 'shared'))).toBe(false);
    expect(result.externalLinks).toEqual([
      { path: 'shared', linkname: '../../shared', target: '/shared' },
      { path: 'system', linkname: '/usr/lib/libz.so', target: '/usr/lib/libz.so' },
    ]);
  });

  it('reports a relative link climbing out even without knowing the container path', async () => {
    const result = await extractTar(archive([{ name: 'out/a', type: 'symlink', linkname: '../../../x' }]), temp(), { strip: 1 });
    expect(result.externalLinks).toEqual([{ path: 'a', linkname: '../../../x' }]);
  });

  it('lets a later entry of the same path win, as tar does', async () => {
    const dest = temp();
    await extractTar(archive([{ name: 'f', type: 'symlink', linkname: 'g' }, { name: 'f', content: 'file wins' }, { name: 'g', content: '' }]), dest);
    expect(readFileSync(path.join(dest, 'f'), 'utf8')).toBe('file wins');
  });
});

describe('pruneTree', () => {
  it('removes what the keep filter refuses, directories whole', async () => {
    const dest = temp();
    await extractTar(archive([
      { name: 'pkg/build/Release/addon.node', content: 'x' },
      { name: 'pkg/build/Release/obj.target/addon.node', content: 'x' },
      { name: 'pkg/build/Release/obj.target/addon/src/a.o', content: 'x' },
      { name: 'pkg/index.js', content: 'x' },
    ]), dest);
    const removed = await pruneTree(dest, (rel) => !rel.endsWith('/obj.target'));
    expect(removed).toBe(1);
    expect(existsSync(path.join(dest, 'pkg/build/Release/obj.target'))).toBe(false);
    expect(existsSync(path.join(dest, 'pkg/build/Release/addon.node'))).toBe(true);
  });
});
