import { BoundedEditDistance } from '../../text/edit-distance.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { knnClusters, type KnnMethod } from './knn.js';
import { javaLowerUnits, levenshteinDistance, PatternLevenshtein } from './levenshtein.js';
import { blockingNgrams, blockingNormalize } from './normalize.js';

interface Case {
  name: string;
  source: string;
  method: KnnMethod;
  radius: number;
  blockingNgramSize: number;
  values: string[];
  expected: string[][];
  expectedByCores: Record<string, string[][]>;
}
const fixtures = JSON.parse(readFileSync(new URL('./knn-fixtures.json', import.meta.url), 'utf8')) as {
  cases: Case[];
  pairs: [string, string][];
  distances: Record<KnnMethod, number[]>;
};

/** Clusters as sorted member lists, in a canonical order (set-of-sets comparison). */
const canon = (clusters: string[][]) =>
  clusters.map((c) => [...c].sort()).sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1));

describe('knnClusters against OpenRefine (Vicino 1.2) fixtures', () => {
  for (const c of fixtures.cases) {
    it(`${c.name} [${c.source}]`, async () => {
      const got = await knnClusters(
        c.values.map((value) => ({ value, count: 1 })),
        { method: c.method, radius: c.radius, blockingNgramSize: c.blockingNgramSize },
      );
      expect(canon(got.map((cl) => cl.values.map((v) => v.value)))).toEqual(c.expected);
    });
    for (const [cores, expected] of Object.entries(c.expectedByCores)) {
      it(`${c.name}, as OpenRefine on ${cores} cores`, async () => {
        const got = await knnClusters(
          c.values.map((value) => ({ value, count: 1 })),
          {
            method: c.method,
            radius: c.radius,
            blockingNgramSize: c.blockingNgramSize,
            openRefineThreads: Number(cores),
          },
        );
        expect(canon(got.map((cl) => cl.values.map((v) => v.value)))).toEqual(expected);
      });
    }
  }
});

describe('levenshtein distance', () => {
  it('matches Vicino LevenshteinDistance on fixture pairs', () => {
    fixtures.pairs.forEach(([a, b], k) => {
      expect(levenshteinDistance(a, b), `pair ${k}`).toBe(fixtures.distances.levenshtein[k]);
    });
  });
  it('is case-insensitive per UTF-16 unit, like Java Character.toLowerCase(char)', () => {
    expect(levenshteinDistance('ABC', 'abc')).toBe(0);
    expect(levenshteinDistance('İ', 'i')).toBe(0);
    expect(levenshteinDistance('ß', 'SS')).toBe(2);
    expect(levenshteinDistance('🎉', '🎊')).toBe(1); // surrogate pairs count as two units
    expect(levenshteinDistance('', 'abc')).toBe(3);
    expect(levenshteinDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('bit-parallel levenshtein', () => {
  it('agrees with the banded one, bounded and unbounded, on random strings', () => {
    let seed = 7;
    const rnd = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
    const word = () =>
      Array.from({ length: rnd(33) }, () => 'abcAB🎉'[rnd(7)])
        .join('')
        .slice(0, 32);
    const banded = new BoundedEditDistance();
    const bits = new PatternLevenshtein();
    for (let k = 0; k < 3000; k++) {
      const a = javaLowerUnits(word()).slice(0, 32);
      const b = javaLowerUnits(word());
      const buf = new Uint16Array([...a, ...b]);
      bits.setPattern(buf, 0, a.length);
      for (const max of [0, 1, 2, 3, 40]) {
        expect(bits.distance(buf, a.length, b.length, max), `case ${k} max ${max}`).toBe(
          banded.between(a, b, max),
        );
      }
    }
  });
});

describe('blocking n-grams', () => {
  it('normalises as Vicino NGramTokenizer does', () => {
    expect(blockingNormalize('  Hello,   World!\t')).toBe('hello world');
    expect(blockingNormalize('- abc')).toBe(' abc'); // trim happens before punctuation removal
    expect(blockingNormalize('a\u200bb')).toBe('a\u200bb'); // only ASCII controls are removed
    expect(blockingNgrams('abcab', 2)).toEqual(['ab', 'bc', 'ca']);
    expect(blockingNgrams('abc', 6)).toEqual([]);
  });
});

describe('knnClusters', () => {
  const vals = (xs: [string, number][]) => xs.map(([value, count]) => ({ value, count }));

  it('orders values by count then code point and suggests the first; clusters largest first', async () => {
    const got = await knnClusters(
      vals([
        ['Jonathan Smith', 2],
        ['Jonathan Smyth', 5],
        ['jonathan smith', 5],
        ['Margaret Thatcher', 1],
        ['Margaret Thatchor', 1],
      ]),
      { method: 'levenshtein' },
    );
    expect(got).toEqual([
      {
        values: [
          { value: 'Jonathan Smyth', count: 5 },
          { value: 'jonathan smith', count: 5 },
          { value: 'Jonathan Smith', count: 2 },
        ],
        suggested: 'Jonathan Smyth',
      },
      {
        values: [
          { value: 'Margaret Thatcher', count: 1 },
          { value: 'Margaret Thatchor', count: 1 },
        ],
        suggested: 'Margaret Thatcher',
      },
    ]);
  });

  it('forms clusters per value, not by transitive closure', async () => {
    // a~b and b~c at radius 1, but not a~c: OpenRefine reports {a,b,c} (b's) and {a,b}, {b,c}.
    const got = await knnClusters(
      vals([
        ['abcdefgh', 1],
        ['abcdefgX', 1],
        ['abcdefYX', 1],
      ]),
      {
        method: 'levenshtein',
        radius: 1,
      },
    );
    expect(canon(got.map((c) => c.values.map((v) => v.value)))).toEqual([
      ['abcdefYX', 'abcdefgX'],
      ['abcdefYX', 'abcdefgX', 'abcdefgh'],
      ['abcdefgX', 'abcdefgh'],
    ]);
  });

  it('never clusters values shorter than the blocking n-gram', async () => {
    expect(
      await knnClusters(
        vals([
          ['Fang', 1],
          ['Fong', 1],
        ]),
        { method: 'levenshtein' },
      ),
    ).toEqual([]);
    expect(
      await knnClusters(
        vals([
          ['Fang', 1],
          ['Fong', 1],
        ]),
        { method: 'levenshtein', blockingNgramSize: 2 },
      ),
    ).toHaveLength(1);
  });

  it('reports progress up to the total', async () => {
    const calls: [number, number][] = [];
    await knnClusters(
      vals([
        ['abcdefg', 1],
        ['abcdefh', 1],
      ]),
      { method: 'levenshtein' },
      {
        onProgress: (done, total) => calls.push([done, total]),
      },
    );
    expect(calls.at(-1)).toEqual([2, 2]);
  });

  it('rejects with an AbortError when the signal aborts, before or during the work', async () => {
    const many = Array.from({ length: 20000 }, (_, i) => ({
      value: `customer number ${i * 7919}`,
      count: 1,
    }));
    const before = new AbortController();
    before.abort();
    await expect(
      knnClusters(many, { method: 'levenshtein' }, { signal: before.signal }),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });

    const during = new AbortController();
    let progressed = 0;
    const run = knnClusters(
      many,
      { method: 'levenshtein', radius: 2, blockingNgramSize: 3 },
      {
        signal: during.signal,
        onProgress: () => {
          if (++progressed === 1) during.abort();
        },
      },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(progressed).toBe(1);
  });
});

describe('ppm distance', () => {
  it('matches Vicino PPMDistance (arithcode PPMModel(8)) number for number on fixture pairs', async () => {
    const { PpmDistance } = await import('./ppm.js');
    const ppm = new PpmDistance();
    fixtures.pairs.forEach(([a, b], k) => {
      expect(ppm.distance(a, b), `pair ${k}`).toBe(fixtures.distances.ppm[k]);
    });
  });
});
