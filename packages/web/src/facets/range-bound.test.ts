import { describe, expect, it } from 'vitest';
import { parseBound } from './range-bound.js';

describe('parseBound', () => {
  it('reads numbers as the grid shows them, with thousands separators', () => {
    expect(parseBound('1,000')).toEqual({ value: 1000 });
    expect(parseBound(' -1,234,567.25 ')).toEqual({ value: -1234567.25 });
    expect(parseBound('2000')).toEqual({ value: 2000 });
    expect(parseBound('1e3')).toEqual({ value: 1000 });
    expect(parseBound('')).toEqual({ value: undefined });
  });

  it('calls anything else not a number, instead of no bound', () => {
    expect(parseBound('1,00')).toEqual({ error: '"1,00" is not a number' });
    expect(parseBound('abc')).toEqual({ error: '"abc" is not a number' });
    expect(parseBound('1.000,5')).toEqual({ error: '"1.000,5" is not a number' });
    expect(parseBound('Infinity')).toEqual({ error: '"Infinity" is not a number' });
  });
});
