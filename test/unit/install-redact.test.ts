// What an install printed reaches the terminal, CI logs and (through a cross compile's fallback
// reason) the manifest: the values of its passEnv variables never do.
import { describe, expect, it } from 'vitest';
import { redactor } from '../../src/executor/install.js';
import type { TaskPlan } from '../../src/plan/types.js';
import { HOST } from '../helpers/host.js';

const plan = (passEnv: string[]) => ({ install: { passEnv } }) as unknown as TaskPlan;

describe('the install log', () => {
  it('hides every passEnv value, the longest first, and leaves the rest as printed', () => {
    const host = { ...HOST, env: { NPM_TOKEN: 'npm_s3cr3t', PIP_PASSWORD: 'npm_s3cr3t-and-more', SHORT: 'on', HOME: '/root' } };
    const redact = redactor(plan(['NPM_TOKEN', 'PIP_PASSWORD', 'SHORT', 'UNSET']), host);
    expect(redact('GET https://u:npm_s3cr3t-and-more@index/simple 401\nnpm error token npm_s3cr3t refused on /root'))
      .toBe('GET https://u:***@index/simple 401\nnpm error token *** refused on /root');
    // Too short to hide without hiding ordinary words.
    expect(redact('turned on')).toBe('turned on');
  });

  it('changes nothing without passEnv', () => {
    expect(redactor(plan([]), HOST)('a line')).toBe('a line');
  });
});
