import { describe, expect, it } from 'vitest';
import { PaceWatch } from './pace-watch.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PaceWatch', () => {
  it('calls onSlow once when a window passes with too few bytes, and passes every byte through', async () => {
    let slow = 0;
    const w = new PaceWatch({ windowMs: 50, minBytes: 100 }, () => slow++);
    const out: Buffer[] = [];
    w.on('data', (b: Buffer) => out.push(b));
    w.write(Buffer.alloc(150));
    await wait(70);
    expect(slow).toBe(0);
    w.write(Buffer.from('abcd'));
    await wait(130);
    expect(slow).toBe(1);
    expect(Buffer.concat(out).length).toBe(154);
    w.end();
  });

  it('stops watching when the stream ends', async () => {
    let slow = 0;
    const w = new PaceWatch({ windowMs: 30, minBytes: 100 }, () => slow++);
    w.resume();
    w.end(Buffer.alloc(10));
    await wait(100);
    expect(slow).toBe(0);
  });
});
