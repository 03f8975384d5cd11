import { describe, expect, it } from 'vitest';
import type { ColumnProfile } from '../api/types.js';
import { suggest } from './suggestions.js';

const column = (name: string, topValues: ColumnProfile['topValues']): ColumnProfile => ({
  name,
  type: 'text',
  nulls: 0,
  blanks: 0,
  distinct: topValues.length,
  minLength: 1,
  maxLength: 6,
  topValues,
  inferredType: 'integer',
  padded: 0,
  mixedCase: 0,
  typeShare: 1,
});

describe('suggestions', () => {
  it('offers to convert a numeric text column in one click', () => {
    const [s] = suggest(
      [
        column('n', [
          { value: '17', count: 2 },
          { value: '250', count: 1 },
        ]),
      ],
      3,
    );
    expect(s).toMatchObject({ text: '100% numeric', action: 'Convert to whole numbers' });
  });

  it('says that leading zeros would be lost, naming a value that has them', () => {
    const [s] = suggest(
      [
        column('zip', [
          { value: '01234', count: 2 },
          { value: '75001', count: 1 },
        ]),
      ],
      3,
    );
    expect(s!.text).toBe(
      '100% numeric, but values such as "01234" have leading zeros (a code?), which a conversion drops',
    );
    expect(s!.action).toBe('Convert to whole numbers anyway');
  });
});
