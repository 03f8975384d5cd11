import { describe, expect, it } from 'vitest';
import { oneLine } from './one-line.js';

describe('a cell on one line', () => {
  it('marks each line break, whatever its kind, and leaves other text alone', () => {
    expect(oneLine('line1\nline2')).toBe('line1↵line2');
    expect(oneLine('a\r\nb\rc')).toBe('a↵b↵c');
    expect(oneLine(' tab\there ')).toBe(' tab\there ');
  });
});
