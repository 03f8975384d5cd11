import { parseStep, STEP_OPS } from '@tidyvault/core';
import { describe, expect, it } from 'vitest';
import type { ColumnProfile } from '../api/types.js';
import { describeStep } from './describe.js';
import { dateFormatList, defaults, STEP_FORMS, type Values } from './step-forms.js';

/** Values a person would type into each form (the defaults, plus what has no sensible default). */
const FILLED: Record<string, Values> = {
  replace: { find: 'Inc.', replace: 'Inc' },
  'split-column': { into: 'first, last' },
  'merge-columns': { others: ['city'], into: 'place' },
  'rename-columns': { to: 'full name' },
  'filter-rows': { value: 'Paris' },
  'copy-column': { into: 'name copy' },
  'join-rows': { by: ['id'] },
};
const COLUMNS = [
  { name: 'id', type: 'text' as const },
  { name: 'name', type: 'text' as const },
  { name: 'city', type: 'text' as const },
];

describe('the column menu forms', () => {
  it.each(STEP_FORMS.map((f) => [f.id, f] as const))(
    '%s builds a step the recipe schema accepts',
    (_, form) => {
      const step = form.build('name', { ...defaults(form), ...(FILLED[form.id] ?? {}) }, COLUMNS);
      expect(() => parseStep(step)).not.toThrow();
      expect(parseStep(step)).toEqual(step);
    },
  );

  it('keeps the characters to remove as typed, a space included, and says them in the step', () => {
    const form = STEP_FORMS.find((f) => f.id === 'to-number')!;
    const step = form.build(
      'amount',
      { ...defaults(form), decimal: ',', thousands: '.', strip: '€ $' },
      COLUMNS,
    );
    expect(step).toMatchObject({ op: 'to-number', strip: '€ $' });
    expect(describeStep(step)).toBe(
      'Convert "amount" to numbers, "," as the decimal mark, "." between thousands, removing the characters "€ $" first',
    );
  });

  it('reach every op of recipe v1 except those made elsewhere in the app', () => {
    const fromForms = new Set<string>(
      STEP_FORMS.map((f) => f.build('name', { ...defaults(f), ...(FILLED[f.id] ?? {}) }, COLUMNS).op),
    );
    // mass-edit: text facet and cluster dialog; cluster-merge: cluster dialog;
    // dedupe-groups: the duplicates dialog.
    const elsewhere = new Set(['mass-edit', 'cluster-merge', 'dedupe-groups']);
    expect(STEP_OPS.filter((op) => !fromForms.has(op) && !elsewhere.has(op))).toEqual([]);
  });

  it('the previews say what the step does to a value, where the browser can say it', () => {
    const byId = Object.fromEntries(STEP_FORMS.map((f) => [f.id, f]));
    expect(byId.trim!.preview!('  Ann Lee\u00a0', {})).toBe('Ann Lee');
    expect(byId['collapse-whitespace']!.preview!(' a \t b  ', {})).toBe('a b');
    expect(byId['change-case']!.preview!('Paris', { case: 'upper' })).toBe('PARIS');
    expect(byId.replace!.preview!('Acme Inc.', { find: 'Inc.', replace: 'Inc', caseSensitive: true })).toBe(
      'Acme Inc',
    );
    // A regex replace is shown only after applying (RE2 in the engine, not JavaScript's regexes).
    expect(
      byId.replace!.preview!('a', { find: 'a', replace: 'b', regex: true, caseSensitive: true }),
    ).toBeNull();
    // A split shows each new column's part, and the parts a value loses.
    const split = byId['split-column']!.preview!;
    expect(split('Bob  Smith', { separator: ' ', into: 'first, last' })).toBe(
      'first: "Bob", last: "" — 1 more part lost',
    );
    expect(split('Ann', { separator: ' ', into: 'first, last' })).toBe('first: "Ann", last: (null)');
    expect(split('a b', { separator: ' ', into: 'x', regex: true })).toBeNull();
    // Split into rows: how many rows a value becomes, and each.
    const rows = byId['split-rows']!.preview!;
    expect(rows('red; green;', { separator: ';' })).toBe('3 rows: "red", " green", ""');
    expect(rows('solo', { separator: ';' })).toBe('1 row: "solo"');
    expect(rows('a|b', { separator: '[|]', regex: true })).toBeNull();
  });

  it('joins rows only once the columns that make a record are chosen', () => {
    const join = STEP_FORMS.find((f) => f.id === 'join-rows')!;
    expect(() => join.build('name', defaults(join), COLUMNS)).toThrow(/choose the columns/);
    expect(join.build('name', { ...defaults(join), by: ['id'] }, COLUMNS)).toEqual({
      op: 'join-rows',
      column: 'name',
      separator: ', ',
      by: ['id'],
    });
  });

  it('moves a column to the first or the last position', () => {
    const byId = Object.fromEntries(STEP_FORMS.map((f) => [f.id, f]));
    expect(byId['move-first']!.build('city', {}, COLUMNS)).toEqual({
      op: 'reorder-columns',
      columns: ['city'],
    });
    expect(byId['move-last']!.build('id', {}, COLUMNS)).toEqual({
      op: 'reorder-columns',
      columns: ['id'],
      position: 'last',
    });
  });

  it('date formats are comma-separated, yet a format may hold a comma', () => {
    expect(dateFormatList('%Y-%m-%d, %d/%m/%Y')).toEqual(['%Y-%m-%d', '%d/%m/%Y']);
    expect(dateFormatList('%d/%m/%Y, %b %d, %Y, %Y-%m-%d')).toEqual(['%d/%m/%Y', '%b %d, %Y', '%Y-%m-%d']);
    expect(dateFormatList('%A, %B %d, %Y')).toEqual(['%A, %B %d, %Y']);
    expect(dateFormatList(' %y%m%d ,, ')).toEqual(['%y%m%d']);
    const toDate = STEP_FORMS.find((f) => f.id === 'to-date')!;
    expect(toDate.build('d', { formats: '%b %d, %Y, %d.%m.%Y' }, COLUMNS)).toEqual({
      op: 'to-date',
      columns: ['d'],
      formats: ['%b %d, %Y', '%d.%m.%Y'],
    });
  });

  it('fill says, before applying, that blank text is not null and which choices fill it', () => {
    const fill = STEP_FORMS.find((f) => f.id === 'fill-null')!;
    const profile = (type: string, blanks: number) =>
      ({ name: 'city', type, nulls: 1, blanks }) as ColumnProfile;
    expect(fill.notice!('city', profile('text', 3))).toMatch(
      /^3 cells of "city" are blank text, not null \(∅\): the value above or below fills only the empty ones \(as OpenRefine’s fill down\), the other choices only null cells\. .*“Blank cells to null” first/,
    );
    expect(fill.notice!('city', profile('text', 1))).toMatch(/^1 cell of "city" is blank text/);
    expect(fill.notice!('city', profile('text', 0))).toBeUndefined();
    expect(fill.notice!('n', profile('integer', 0))).toBeUndefined();
  });
});
