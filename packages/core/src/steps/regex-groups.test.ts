import { describe, expect, it } from 'vitest';
import { StepError } from '../errors.js';
import { analyzeRecipe } from '../compile/analyze.js';
import { parseRecipe } from '../recipe/parse.js';
import { capturingGroups, highestGroupReference, strayBackslash } from './regex-groups.js';

describe('capturingGroups', () => {
  it.each([
    ['\\d+', 0],
    ['(\\d)', 1],
    ['(a)(b(c))', 3],
    ['(?:a)(b)', 1],
    ['(?i)(b)', 1],
    ['(?P<year>\\d{4})-(?<month>\\d\\d)', 2],
    ['\\(x\\)', 0],
    ['[(](x)', 1],
    ['[^]()](y)', 1],
    ['[\\]()](z)', 1],
  ])('%s has %i', (pattern, groups) => {
    expect(capturingGroups(pattern)).toBe(groups);
  });
});

describe('highestGroupReference', () => {
  it.each([
    ['plain', -1],
    ['<\\1>', 1],
    ['\\0 and \\2', 2],
    ['\\\\9 is a backslash and a 9', -1],
    ['\\\\\\3', 3],
  ])('%s refers to %i', (rewrite, highest) => {
    expect(highestGroupReference(rewrite)).toBe(highest);
  });
});

describe('a regex replace whose rewrite names a group the pattern lacks', () => {
  const analyze = (find: string, replace: string) =>
    analyzeRecipe(
      parseRecipe({ version: 1, steps: [{ op: 'replace', columns: ['id'], find, replace, regex: true }] }),
      [{ name: 'id', type: 'text' }],
    );

  it('is refused naming the step, before any data is touched', () => {
    let error: unknown;
    try {
      analyze('(\\d)', '\\9');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StepError);
    expect((error as StepError).code).toBe('RECIPE_PARAM');
    expect((error as StepError).location.step).toEqual({ index: 1, op: 'replace' });
    expect((error as StepError).message).toMatch(
      /refers to group \\9, but find "\(\\\\d\)" has only 1 group/,
    );
    expect(() => analyze('\\d', '<\\1>')).toThrow(/has no groups/);
  });

  it('is accepted when the groups are there, or the backslash is escaped', () => {
    expect(() => analyze('(\\d)', '<\\1>')).not.toThrow();
    expect(() => analyze('\\d', '<\\0>')).not.toThrow();
    expect(() => analyze('\\d', '\\\\1')).not.toThrow();
    expect(() => analyze('(?P<n>\\d)(x)', '\\2\\1')).not.toThrow();
  });
});

describe('strayBackslash', () => {
  it('finds a backslash that is not a group reference or an escaped backslash', () => {
    expect(strayBackslash('C:\\Users')).toBe(2);
    expect(strayBackslash('x\\')).toBe(1);
    expect(strayBackslash('\\n')).toBe(0);
    expect(strayBackslash('\\1-\\\\-\\0')).toBe(-1);
    expect(strayBackslash('plain')).toBe(-1);
  });
});
