import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeEngine } from './node-engine.js';

let engine: NodeEngine;
beforeAll(async () => {
  engine = await NodeEngine.open();
});
afterAll(async () => {
  await engine.close();
});

const csv = (text: string) => new TextEncoder().encode(text);

describe('profile', () => {
  it('counts nulls, blanks (any Unicode whitespace), distinct values, lengths and top values', async () => {
    const rows = ['a', '', ' ', '\u3000', '"\t\t"', ' a', 'a', 'b', 'a '];
    const ds = await engine.loadCsv('p.csv', csv(`v,w\n${rows.map((r) => `${r},1`).join('\n')}\n4\n`));
    const p = await engine.profile(ds);
    const v = p.columns[0]!;
    expect(p.rows).toBe(10);
    expect(v.nulls).toBe(0);
    expect(v.blanks).toBe(4);
    expect(v.distinct).toBe(9);
    expect([v.minLength, v.maxLength]).toEqual([0, 2]);
    expect(v.topValues[0]).toEqual({ value: 'a', count: 2 });
    const w = p.columns[1]!;
    expect(w.nulls).toBe(1);
    expect(w.inferredType).toBe('integer');
    await engine.drop(ds);
  });

  it('infers number and date columns from their values', async () => {
    const ds = await engine.loadCsv(
      't.csv',
      csv(
        'n,d,m,id\n1.5,2024-01-31,Jan 31 2024,123456\n-2,2024-02-01,01 Feb 2024,1234567\n 3e2 ,31/01/2024,2024/03/01,2\n',
      ),
    );
    const p = await engine.profile(ds);
    expect(p.columns.map((c) => c.inferredType)).toEqual(['number', 'date', 'date', 'integer']);
    await engine.drop(ds);
  });
});
