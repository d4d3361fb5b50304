// ssh:// engines: the engine's host key must be one OpenSSH already trusts (known_hosts), as it
// would be for `ssh` and the docker CLI. ssh2 (under dockerode) accepts any key unless told.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** How known_hosts names a host: `host` on port 22, `[host]:port` otherwise. */
function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function matches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    // Hashed (HashKnownHosts yes): |1|base64(salt)|base64(HMAC-SHA1(salt, name)).
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return field.split(',').some((candidate) => !candidate.startsWith('!') && candidate.toLowerCase() === name.toLowerCase());
}

/** The host keys (SSH wire format) that known_hosts text lists for a host and port. */
export function knownHostKeys(text: string, host: string, port: number): Buffer[] {
  const name = hostPattern(host, port);
  const keys: Buffer[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    // Markers (@cert-authority, @revoked) are not plain trust: a revoked key must never match.
    if (!line || line.startsWith('#') || line.startsWith('@')) continue;
    const [hosts, , key] = line.split(/\s+/);
    if (hosts && key && matches(hosts, name)) keys.push(Buffer.from(key, 'base64'));
  }
  return keys;
}

export interface HostCheck {
  /** For ssh2's hostVerifier: whether the key offered is one known_hosts lists. */
  verify(key: Buffer): boolean;
  /** Why the last key was refused, once it was. */
  readonly refusal?: string;
}

export function hostCheck(host: string, port: number, files = [path.join(os.homedir(), '.ssh/known_hosts'), '/etc/ssh/ssh_known_hosts']): HostCheck {
  const known = files.flatMap((file) => {
    try { return knownHostKeys(readFileSync(file, 'utf8'), host, port); } catch { return []; }
  });
  const check: { verify(key: Buffer): boolean; refusal?: string } = {
    verify(key) {
      if (known.some((k) => k.equals(key))) return true;
      check.refusal = known.length === 0
        ? `the host key of ${hostPattern(host, port)} is not in ${files.join(' or ')}: connect once with \`ssh${port === 22 ? '' : ` -p ${port}`} ${host}\` to check and record it`
        : `the host key of ${hostPattern(host, port)} differs from the one in known_hosts (it changed, or someone is in the middle): check it before trusting it`;
      return false;
    },
  };
  return check;
}
