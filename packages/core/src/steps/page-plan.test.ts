import { select } from '@tidyvault/sql';
import { describe, expect, it } from 'vitest';
import { compileOnTable } from '../compile/on-table.js';
import { pagePlan } from './page-plan.js';
import type { Step } from './registry.js';
import type { Column } from './types.js';

const cols: Column[] = [
  { name: 'a', type: 'text' },
  { name: 'b', type: 'text' },
  { name: 'n', type: 'number' },
];

describe('page plans', () => {
  const trim: Step = { op: 'trim' };
  const sort: Step = { op: 'sort-rows', by: [{ column: 'a' }] };
  const filter: Step = { op: 'filter-rows', where: { column: 'a', op: 'eq', value: 'x' } };
  const dedupe: Step = { op: 'dedupe-rows' };

  it('runs trailing row-wise steps on the page only', () => {
    expect(pagePlan([trim, trim], cols)).toMatchObject({ head: [], tail: [trim, trim] });
    expect(pagePlan([sort, trim], cols)).toMatchObject({
      head: [sort],
      tail: [trim],
      headKeepsOrder: false,
      headKeepsCount: true,
      headOther: false,
    });
  });

  it('streams a head that keeps the order, and counts one that drops rows', () => {
    expect(pagePlan([trim, filter, trim], cols)).toMatchObject({
      head: [trim, filter],
      tail: [trim],
      headKeepsOrder: true,
      headKeepsCount: false,
      headOther: false,
    });
  });

  it('marks a head with a step that needs every row', () => {
    expect(pagePlan([dedupe, trim], cols)).toMatchObject({ head: [dedupe], tail: [trim], headOther: true });
    expect(pagePlan([sort, filter], cols)).toMatchObject({
      headKeepsOrder: false,
      headKeepsCount: false,
      headOther: false,
    });
  });
});

describe('pages of steps that keep rows in place', () => {
  const trim: Step = { op: 'trim' };
  const merge: Step = { op: 'cluster-merge', column: 'a', method: 'fingerprint' };

  it('counts a cluster-merge (a join) as keeping rows in place, as row-wise steps do', () => {
    expect(pagePlan([trim, merge, trim], cols)).toMatchObject({ inPlace: true, headOther: true });
    expect(pagePlan([trim], cols).inPlace).toBe(true);
    const others: Step[] = [
      { op: 'sort-rows', by: [{ column: 'a' }] },
      { op: 'filter-rows', where: { column: 'a', op: 'eq', value: 'x' } },
      { op: 'dedupe-rows' },
      { op: 'fill-null', columns: ['a'], strategy: 'down' },
    ];
    for (const other of others) expect(pagePlan([merge, other], cols).inPlace, other.op).toBe(false);
  });

  it('computes such a page from its range of rows, with the merge counting every row', () => {
    const data = { table: 't', columns: cols, rowCount: 1000, warnings: [] };
    const sql = select(
      compileOnTable(data, { version: 1, steps: [trim, merge] }, { offset: 10, limit: 5 }).query,
    );
    expect(sql).toMatch(/"rowid" >= 10\) AND \("rowid" < 15/);
    expect(sql).not.toMatch(/LIMIT|OFFSET/);
    // The merge's counts read the table without the range: two scans of "t", one of them filtered.
    expect(sql.match(/FROM "t"/g)).toHaveLength(2);
    const sorted = select(
      compileOnTable(data, { version: 1, steps: [merge, { op: 'dedupe-rows' }] }, { offset: 10, limit: 5 })
        .query,
    );
    expect(sorted).toMatch(/LIMIT 5\s+OFFSET 10/);
  });
});

describe('page plans with steps that commute', () => {
  const trimA: Step = { op: 'trim', columns: ['a'] };
  const upperB: Step = { op: 'change-case', columns: ['b'], case: 'upper' };
  const sortB: Step = { op: 'sort-rows', by: [{ column: 'b' }] };
  const filterB: Step = { op: 'filter-rows', where: { column: 'b', op: 'eq', value: 'x' } };
  const dedupe: Step = { op: 'dedupe-rows' };

  it('moves a row-wise step after a sort or filter that does not read what it changes', () => {
    expect(pagePlan([trimA, sortB], cols)).toMatchObject({ head: [sortB], tail: [trimA] });
    expect(pagePlan([trimA, filterB, upperB], cols)).toMatchObject({
      head: [filterB],
      tail: [trimA, upperB],
    });
  });

  it('keeps it before one that reads it', () => {
    expect(pagePlan([upperB, sortB], cols)).toMatchObject({ head: [upperB, sortB], tail: [] });
    expect(pagePlan([upperB, trimA, sortB], cols)).toMatchObject({ head: [upperB, sortB], tail: [trimA] });
    // trimA could move, but not past upperB, which stays.
    expect(pagePlan([trimA, upperB, sortB], cols)).toMatchObject({ head: [trimA, upperB, sortB], tail: [] });
    expect(pagePlan([trimA, dedupe], cols)).toMatchObject({ head: [trimA, dedupe], tail: [] });
  });
});
