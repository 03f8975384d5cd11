import { describe, expect, it } from 'vitest';
import { firstRecord } from './first-record.js';

describe('firstRecord', () => {
  it('splits a plain header', () => {
    expect(firstRecord('a,b,c\n1,2,3\n', ',', '"')).toEqual(['a', 'b', 'c']);
  });
  it('keeps quoted delimiters, doubled quotes and newlines inside quotes', () => {
    expect(firstRecord('"a,1","say ""hi""","two\nlines"\r\nx', ',', '"')).toEqual([
      'a,1',
      'say "hi"',
      'two\nlines',
    ]);
  });
  it('keeps empty fields', () => {
    expect(firstRecord(',,x\n', ',', '"')).toEqual(['', '', 'x']);
  });
  it('handles a file without a final newline and other delimiters', () => {
    expect(firstRecord('a\tb', '\t', null)).toEqual(['a', 'b']);
  });
  it('reports a record cut off inside quotes', () => {
    expect(firstRecord('"a,b', ',', '"')).toBeUndefined();
  });
});
