import { expect, it } from 'vitest';
import { BLANK_PATTERN } from './common.js';
import { describeStep } from './registry.js';

it('spells out a filter and a number conversion, not only the columns they read', () => {
  expect(describeStep({ op: 'filter-rows', where: { column: 'amount', op: 'gt', value: 1 } })).toBe(
    'Keep only rows where "amount" > 1',
  );
  const blank = {
    or: [
      { column: 'Notes', op: 'is-null' as const },
      { column: 'Notes', op: 'matches' as const, value: BLANK_PATTERN },
    ],
  };
  expect(describeStep({ op: 'filter-rows', keep: false, where: blank })).toBe(
    'Remove rows where ("Notes" is empty or "Notes" is blank)',
  );
  const many = { column: 'city', op: 'in' as const, value: ['a'.repeat(60), 'b'.repeat(60), 'c'] };
  expect(describeStep({ op: 'filter-rows', where: many })).toBe(
    'Keep only rows matching a condition on "city"',
  );
  expect(describeStep({ op: 'to-number', columns: ['a'], decimal: ',', thousands: '.' })).toBe(
    'Convert "a" to numbers, "," as the decimal mark, "." between thousands',
  );
  expect(describeStep({ op: 'to-number', columns: ['a'] })).toBe('Convert "a" to numbers');
});
