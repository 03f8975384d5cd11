import { describe, expect, it } from 'vitest';
import { usableMemory } from './usable-memory.js';

const GB = 2 ** 30;

describe('usable memory', () => {
  it('is the container’s limit when it is below the machine’s RAM', () => {
    expect(usableMemory(64 * GB, 2 * GB)).toBe(2 * GB);
  });

  it('is the machine’s RAM when there is no limit (Node reports none as 0, undefined or 2^64)', () => {
    for (const none of [0, undefined, 2 ** 64]) expect(usableMemory(64 * GB, none)).toBe(64 * GB);
  });
});
