import { describe, expect, it } from 'vitest';
import { LogTail } from '../../src/docker/container.js';

describe('the log tail of a failed build', () => {
  it('keeps the last 40 lines', () => {
    const tail = new LogTail();
    for (let i = 0; i < 100; i++) tail.add(`line ${i}`);
    expect(tail.lines()).toEqual(Array.from({ length: 40 }, (_, i) => `line ${i + 60}`));
  });

  it('keeps compiler error lines that scrolled out of it, before an ellipsis', () => {
    const tail = new LogTail();
    tail.add('gcc -c broken.c');
    tail.add("broken.c:1:7: error: expected ')' before '{' token");
    tail.add('error[E0308]: mismatched types');
    for (let i = 0; i < 60; i++) tail.add(`noise ${i}`);
    const lines = tail.lines();
    expect(lines.slice(0, 3)).toEqual(["broken.c:1:7: error: expected ')' before '{' token", 'error[E0308]: mismatched types', '…']);
    expect(lines.at(-1)).toBe('noise 59');
  });

  it('does not repeat error lines that are still in the tail', () => {
    const tail = new LogTail();
    tail.add('error: oops');
    tail.add('done');
    expect(tail.lines()).toEqual(['error: oops', 'done']);
  });
});
