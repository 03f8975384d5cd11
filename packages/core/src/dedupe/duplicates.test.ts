import { select } from '@tidyvault/sql';
import { describe, expect, it } from 'vitest';
import {
  checkDuplicateColumns,
  duplicateCandidates,
  duplicateTuplesQuery,
  MAX_DUPLICATE_TUPLES,
} from './duplicates.js';

const source = {
  kind: 'select' as const,
  star: {},
  columns: [],
  from: { kind: 'table' as const, name: 't' },
};

describe('duplicates (shared by engine-node and engine-wasm)', () => {
  it('groups the distinct tuples, most frequent first, one more than it compares', () => {
    const sql = select(
      duplicateTuplesQuery({ ...source, orderBy: [{ expr: { kind: 'column', name: 'a' } }] }, ['a', 'b']),
    );
    expect(sql).toMatch(/GROUP BY "a", "b"\nORDER BY "__n" DESC, "a" ASC, "b" ASC/);
    expect(sql).toMatch(new RegExp(`LIMIT ${MAX_DUPLICATE_TUPLES + 1}$`));
    // The recipe's own final sort is left out: the rows are grouped anyway.
    expect(sql.match(/ORDER BY/g)).toHaveLength(1);
  });

  it('takes text columns of the output only', () => {
    const all = [
      { name: 'a', type: 'text' as const },
      { name: 'n', type: 'number' as const },
    ];
    expect(() => checkDuplicateColumns(all, ['a'])).not.toThrow();
    expect(() => checkDuplicateColumns(all, ['n'])).toThrow(
      'column "n" holds number; duplicates are found on text columns',
    );
    expect(() => checkDuplicateColumns(all, ['x'])).toThrow(/does not exist/);
  });

  it('finds near and exact duplicates, near ones first among equal scores', async () => {
    const rows = [
      ['Acme Inc', 'Paris', '3'],
      ['Acme Inc.', 'Paris', 1n],
      ['Globex', 'Lyon', 2],
      ['Initech', null, 1],
    ];
    const answer = await duplicateCandidates(['name', 'city'], rows, { threshold: 0.8 });
    expect(answer.tuples).toBe(4);
    expect(answer.truncated).toBe(false);
    expect(answer.groups[0]!.keys).toEqual([
      ['Acme Inc', 'Paris'],
      ['Acme Inc.', 'Paris'],
    ]);
    expect(answer.groups[0]!.counts).toEqual([3, 1]);
    expect(answer.groups[1]).toEqual({ score: 1, keys: [['Globex', 'Lyon']], counts: [2] });
    expect(answer.groups).toHaveLength(2);
  });

  it('refuses more tuples than it compares', async () => {
    const rows = Array.from({ length: MAX_DUPLICATE_TUPLES + 1 }, (_, i) => [String(i), 1]);
    await expect(duplicateCandidates(['a'], rows, {})).rejects.toThrow(
      /more than 50,000 distinct combinations/,
    );
  });
});
