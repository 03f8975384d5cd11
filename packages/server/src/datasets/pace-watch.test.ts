import { describe, expect, it } from 'vitest';
import { PaceWatch } from './pace-watch.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PaceWatch', () => {
  it('calls onSlow once when a window passes with too few bytes', async () => {
    let slow = 0;
    const pace = new PaceWatch({ windowMs: 50, minBytes: 100 }, () => slow++);
    pace.add(150);
    await wait(70);
    expect(slow).toBe(0);
    pace.add(4);
    await wait(130);
    expect(slow).toBe(1);
    pace.stop();
  });

  it('stops watching when told', async () => {
    let slow = 0;
    const pace = new PaceWatch({ windowMs: 30, minBytes: 100 }, () => slow++);
    pace.stop();
    await wait(100);
    expect(slow).toBe(0);
  });
});
