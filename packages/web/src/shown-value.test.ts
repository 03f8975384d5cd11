import { describe, expect, it } from 'vitest';
import { valueLabel, valueParts } from './shown-value.js';

describe('valueParts', () => {
  it('marks whitespace at either end and in runs, and leaves a single inner space alone', () => {
    expect(valueParts('Acme Corp')).toEqual([{ text: 'Acme Corp' }]);
    expect(valueParts(' Acme Corp')).toEqual([{ ws: ' ', mark: '␣', name: 'space' }, { text: 'Acme Corp' }]);
    expect(
      valueParts('Acme  Corp ')
        .map((p) => ('text' in p ? p.text : p.mark))
        .join(''),
    ).toBe('Acme␣␣Corp␣');
  });

  it('marks every whitespace that is not a plain space, naming it', () => {
    expect(valueParts('a\tb')).toEqual([{ text: 'a' }, { ws: '\t', mark: '→', name: 'tab' }, { text: 'b' }]);
    expect(valueParts('a\u00a0b')[1]).toMatchObject({ name: 'no-break space' });
    expect(valueParts('a\u3000b')[1]).toMatchObject({ mark: '⍽', name: 'whitespace U+3000' });
  });

  it('keeps characters outside the BMP whole', () => {
    expect(valueParts(' 😀')).toEqual([{ ws: ' ', mark: '␣', name: 'space' }, { text: '😀' }]);
  });
});

describe('valueLabel', () => {
  it('tells values apart that look alike', () => {
    expect(valueLabel(' Acme')).toBe('[space]Acme');
    expect(valueLabel('Acme')).toBe('Acme');
    expect(valueLabel(null)).toBe('(null)');
    expect(valueLabel('')).toBe('(empty)');
    expect(valueLabel(3)).toBe('3');
  });
});
