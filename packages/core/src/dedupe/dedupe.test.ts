import { NodeEngine } from '@tidyvault/engine-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecipe } from '../recipe/parse.js';
import { dedupeGroupsStep, fuzzyDuplicateGroups, type DedupeRow } from './fuzzy-groups.js';
import { normaliseForMatch, similarity, codePoints } from './similarity.js';

const rowsOf = (tuples: (string | null)[][]): DedupeRow[] =>
  tuples.map((values, rowId) => ({ rowId, values }));
const sim = (a: string, b: string) =>
  similarity(codePoints(normaliseForMatch(a)), codePoints(normaliseForMatch(b)));

describe('similarity', () => {
  it('ignores case, accents, punctuation and spacing; scores by edit distance over the longer length', () => {
    expect(normaliseForMatch('  Café-de  la PAIX! ')).toBe('cafe de la paix');
    expect(sim('Zoë', 'zoe')).toBe(1);
    expect(sim('Smith', 'Smyth')).toBeCloseTo(0.8);
    expect(sim('', '')).toBe(1);
    expect(similarity(codePoints(''), codePoints('x'))).toBe(0);
    expect(sim('\u{20000}a', '\u{20001}a')).toBe(0.5); // code points, not UTF-16 units
    expect(sim('party 🎉', 'party')).toBe(1); // symbols count as separators
  });
});

describe('fuzzyDuplicateGroups', () => {
  const people = [
    ['Jonathan Smith', 'London'], // 0
    ['Jonathon Smith', 'london'], // 1
    ['Maria Garcia', 'Madrid'], // 2
    ['Jonathan Smith', 'London'], // 3: identical to 0
    ['María García', 'Madrid.'], // 4
    ['Jonathan Smith', 'Leeds'], // 5: same name, other city
    ['Peter Parker', null], // 6
    ['Peter Parker', null], // 7
  ];

  it('links rows whose weighted score reaches the threshold, transitively; groups most similar first', async () => {
    const groups = await fuzzyDuplicateGroups(rowsOf(people));
    expect(
      groups.map((g) => ({ score: +g.score.toFixed(4), rows: g.rows.map((r) => r.rowId), keys: g.keys })),
    ).toEqual([
      {
        score: 1,
        rows: [2, 4],
        keys: [
          ['Maria Garcia', 'Madrid'],
          ['María García', 'Madrid.'],
        ],
      },
      { score: 1, rows: [6, 7], keys: [['Peter Parker', null]] },
      {
        score: 0.9643, // (1 - 1/14 + 1) / 2 for "jonathon smith" vs "jonathan smith"
        rows: [0, 1, 3],
        keys: [
          ['Jonathan Smith', 'London'],
          ['Jonathon Smith', 'london'],
        ],
      },
    ]);
  });

  it('finds no groups among no rows (a file with a header only)', async () => {
    expect(await fuzzyDuplicateGroups([])).toEqual([]);
    expect(await fuzzyDuplicateGroups([], { weights: [1] })).toEqual([]);
  });

  it('honours weights and the threshold', async () => {
    const byName = await fuzzyDuplicateGroups(rowsOf(people), { weights: [1, 0] });
    expect(byName.find((g) => g.rows[0]!.rowId === 0)!.rows.map((r) => r.rowId)).toEqual([0, 1, 3, 5]);
    const strict = await fuzzyDuplicateGroups(rowsOf(people), { threshold: 1 });
    expect(strict.map((g) => g.rows.map((r) => r.rowId))).toEqual([
      [0, 3],
      [2, 4],
      [6, 7],
    ]);
  });

  it('finds every pair that reaches the threshold, as comparing all pairs does', async () => {
    let seed = 3;
    const rnd = (k: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % k;
    const base = ['Jonathan Smith', 'Maria Garcia', 'Li Wei', 'Ann Lee', 'Zoë Müller', 'Bo'];
    const cities = ['London', 'Leeds', 'Lyon', null, ''];
    const mutate = (v: string) => {
      const i = rnd(v.length + 1);
      const k = rnd(3);
      return k === 0
        ? v.slice(0, i) + v.slice(i + 1)
        : k === 1
          ? v.slice(0, i) + 'xyz'[rnd(3)] + v.slice(i)
          : v.toUpperCase();
    };
    const rows = rowsOf(
      Array.from({ length: 400 }, () => {
        let v = base[rnd(base.length)]!;
        for (let t = rnd(4); t > 0; t--) v = mutate(v);
        return [v, cities[rnd(cities.length)]!];
      }),
    );
    for (const [threshold, weights] of [
      [0.85, [1, 1]],
      [0.7, [2, 1]],
      [0.9, [1, 0]],
      [0.6, [1, 3]],
    ] as [number, number[]][]) {
      const got = await fuzzyDuplicateGroups(rows, { threshold, weights });
      // Brute force: link every pair of rows whose score reaches the threshold.
      const parent = rows.map((_, i) => i);
      const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)));
      const norm = rows.map((r) => r.values.map((v) => codePoints(normaliseForMatch(v))));
      const total = weights.reduce((a, b) => a + b, 0);
      for (let i = 0; i < rows.length; i++)
        for (let j = i + 1; j < rows.length; j++) {
          const sc =
            weights.reduce((acc, w, c) => acc + w * similarity(norm[i]![c]!, norm[j]![c]!), 0) / total;
          if (sc >= threshold) parent[find(j)] = find(i);
        }
      const groups = new Map<number, number[]>();
      rows.forEach((_, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), i]));
      const expected = [...groups.values()]
        .filter((g) => g.length > 1)
        .map((g) => g.join(','))
        .sort();
      expect(got.map((g) => g.rows.map((r) => r.rowId).join(',')).sort(), `threshold ${threshold}`).toEqual(
        expected,
      );
    }
  });

  it('reports progress, and rejects with an AbortError when aborted', async () => {
    const many = rowsOf(
      Array.from({ length: 30000 }, (_, i) => [`customer ${i % 5000} of branch ${i % 7}`, 'x']),
    );
    const calls: number[] = [];
    const controller = new AbortController();
    const run = fuzzyDuplicateGroups(
      many,
      { threshold: 0.9 },
      {
        signal: controller.signal,
        onProgress: (done) => {
          calls.push(done);
          controller.abort();
        },
      },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toHaveLength(1);
  });

  it('makes the step that keeps one row per confirmed group', async () => {
    const groups = await fuzzyDuplicateGroups(rowsOf(people));
    expect(dedupeGroupsStep(['name', 'city'], groups.slice(0, 1))).toEqual({
      op: 'dedupe-groups',
      columns: ['name', 'city'],
      groups: [
        [
          ['Maria Garcia', 'Madrid'],
          ['María García', 'Madrid.'],
        ],
      ],
    });
  });
});

describe('dedupe-groups step on the node engine', () => {
  let engine: NodeEngine;
  beforeAll(async () => {
    engine = await NodeEngine.open({ memoryLimit: '512MB', threads: 1 });
  });
  afterAll(async () => {
    await engine.close();
  });
  const csv = [
    'id,name,city',
    '1,Jonathan Smith,London',
    '2,Maria Garcia,Madrid',
    '3,Jonathon Smith,london',
    '4,Jonathan Smith,London',
    '5,María García,',
    '6,Peter Parker,NYC',
    '7,María García,',
    '8,Jonathan Smith,Leeds',
  ].join('\n');

  it('keeps the first row of each group and every row outside the groups, in order', async () => {
    const ds = await engine.loadCsv('people.csv', new TextEncoder().encode(csv));
    const recipe = parseRecipe({
      version: 1,
      steps: [
        { op: 'blank-to-null', columns: ['city'] },
        {
          op: 'dedupe-groups',
          columns: ['name', 'city'],
          groups: [
            [
              ['Jonathon Smith', 'london'],
              ['Jonathan Smith', 'London'],
            ],
            [
              ['Maria Garcia', 'Madrid'],
              ['María García', null],
            ],
          ],
        },
      ],
    });
    await engine.validate(ds, recipe);
    const out = await engine.run(ds, recipe);
    expect(out.rows.map((r) => r[0])).toEqual(['1', '2', '6', '8']);
    await engine.drop(ds);
  });

  it('is refused on a missing column, a tuple of the wrong width or a tuple listed twice', async () => {
    const ds = await engine.loadCsv('people.csv', new TextEncoder().encode(csv));
    const bad = (step: object) => () => parseRecipe({ version: 1, steps: [step] });
    expect(bad({ op: 'dedupe-groups', columns: ['name'], groups: [[['a', 'b']]] })).toThrow(/one per column/);
    expect(bad({ op: 'dedupe-groups', columns: ['name'], groups: [[['a']], [['a']]] })).toThrow(/twice/);
    await expect(
      engine.validate(
        ds,
        parseRecipe({ version: 1, steps: [{ op: 'dedupe-groups', columns: ['nope'], groups: [[['a']]] }] }),
      ),
    ).rejects.toThrow(/nope/);
    await engine.drop(ds);
  });
});
