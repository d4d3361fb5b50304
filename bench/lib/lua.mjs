// Lua 5.4.4's source, as Debian ships it, for bench/projects/lua (its Makefile unpacks it):
// fetched once from the Debian mirror.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export function fetchLua(repo) {
  const tarball = path.join(repo, 'bench/projects/lua/function/lua-5.4.4.tar.gz');
  if (existsSync(tarball)) return;
  const got = spawnSync('curl', ['-fsS', '-o', tarball, 'http://deb.debian.org/debian/pool/main/l/lua5.4/lua5.4_5.4.4.orig.tar.gz'], { stdio: 'inherit' });
  if (got.status !== 0) throw new Error('could not fetch Lua 5.4.4 from the Debian mirror');
}
