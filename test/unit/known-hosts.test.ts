import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostCheck, knownHostKeys } from '../../src/docker/known-hosts.js';

const KEY_A = Buffer.from('ssh-ed25519 key material A');
const KEY_B = Buffer.from('ssh-ed25519 key material B');
const hashed = (name: string, salt = Buffer.from('0123456789abcdefghij')) =>
  `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;

describe('known_hosts', () => {
  it('finds plain, comma-listed, bracketed (non-22 port) and hashed entries', () => {
    const text = [
      '# comment',
      `builder,10.0.0.5 ssh-ed25519 ${KEY_A.toString('base64')}`,
      `[builder]:2222 ssh-ed25519 ${KEY_B.toString('base64')}`,
      `${hashed('graviton')} ssh-ed25519 ${KEY_B.toString('base64')}`,
    ].join('\n');
    expect(knownHostKeys(text, 'builder', 22)).toEqual([KEY_A]);
    expect(knownHostKeys(text, '10.0.0.5', 22)).toEqual([KEY_A]);
    expect(knownHostKeys(text, 'builder', 2222)).toEqual([KEY_B]);
    expect(knownHostKeys(text, 'graviton', 22)).toEqual([KEY_B]);
    expect(knownHostKeys(text, 'other', 22)).toEqual([]);
  });

  it('never trusts a revoked or negated entry', () => {
    const text = [`@revoked builder ssh-ed25519 ${KEY_A.toString('base64')}`, `!builder ssh-ed25519 ${KEY_B.toString('base64')}`].join('\n');
    expect(knownHostKeys(text, 'builder', 22)).toEqual([]);
  });

  it('accepts only the recorded key, and says why it refused another', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-known-hosts-'));
    try {
      const file = path.join(dir, 'known_hosts');
      writeFileSync(file, `[127.0.0.1]:2200 ssh-ed25519 ${KEY_A.toString('base64')}\n`);
      const check = hostCheck('127.0.0.1', 2200, [file]);
      expect(check.verify(KEY_A)).toBe(true);
      expect(check.verify(KEY_B)).toBe(false);
      expect(check.refusal).toMatch(/differs from the one in known_hosts/);
      const unknown = hostCheck('builder', 22, [file]);
      expect(unknown.verify(KEY_A)).toBe(false);
      expect(unknown.refusal).toMatch(/host key of builder is not in .*known_hosts: connect once with `ssh builder`/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
