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
    // ' a' and 'a ' have whitespace at an end; the four blanks are not padded.
    expect(v.padded).toBe(2);
    expect(v.mixedCase).toBe(0);
    expect(v.typeShare).toBeNull();
    const w = p.columns[1]!;
    expect(w.nulls).toBe(1);
    expect(w.inferredType).toBe('integer');
    expect(w.typeShare).toBe(1);
    await engine.drop(ds);
  });

  it('counts padded and mixed-case rows, weighted by how often each value occurs', async () => {
    const name = [
      ' Alice',
      'Alice ',
      'Alice ',
      'bob',
      'bob',
      '\u00a0Bob\u3000',
      '  ',
      'ÉMILE',
      'émile',
      'x\ty',
      '',
    ];
    const flag = ['yes', 'No', 'No', 'true', 'false', 'YES', 'no', 'TRUE', 'False', 'yes', 'no'];
    const lines = name.map((n, i) => `"${n}",${flag[i]}`);
    const ds = await engine.loadCsv('c.csv', csv(`name,flag\n${lines.join('\n')}\n`));
    const p = await engine.profile(ds);
    const [n, f] = p.columns;
    expect(p.rows).toBe(11);
    // ' Alice', 'Alice ' ×2, NBSP-Bob-ideographic-space; not 'x<TAB>y' (inside), not '  ' or '' (blank).
    expect(n).toMatchObject({ blanks: 2, padded: 4, inferredType: 'text', typeShare: null });
    // ' Alice', 'Alice ' ×2, the Bob, 'ÉMILE'.
    expect(n!.mixedCase).toBe(5);
    // 'No' ×2, 'YES', 'TRUE', 'False'.
    expect(f).toMatchObject({ padded: 0, mixedCase: 5, inferredType: 'boolean', typeShare: 1 });
    await engine.drop(ds);
  });

  it('gives the weighted share of values that parse as the inferred type', async () => {
    // Three distinct values, one of which is not a number, but 19 rows of 20 are integers.
    const n = [...Array<string>(10).fill('7'), ...Array<string>(9).fill(' 8 '), 'x'];
    const d = [...Array<string>(19).fill('2024-01-31'), 'soon'];
    const ds = await engine.loadCsv('s.csv', csv(`n,d\n${n.map((x, i) => `${x},${d[i]}`).join('\n')}\n`));
    const p = await engine.profile(ds);
    expect(p.columns[0]).toMatchObject({ distinct: 3, inferredType: 'integer', typeShare: 0.95, padded: 9 });
    expect(p.columns[1]).toMatchObject({ inferredType: 'date', typeShare: 0.95, padded: 0, mixedCase: 0 });
    // Typed by the recipe: nothing to convert, no case.
    const typed = await engine.profile(ds, {
      version: 1,
      steps: [
        { op: 'trim', columns: ['n'] },
        { op: 'to-integer', columns: ['n'] },
        { op: 'to-date', columns: ['d'], formats: ['%Y-%m-%d'] },
      ],
    });
    expect(typed.columns.map((c) => [c.type, c.padded, c.mixedCase, c.typeShare])).toEqual([
      ['integer', 0, 0, null],
      ['date', 0, 0, null],
    ]);
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
