import { describe, expect, it } from 'vitest';
import { tidyvault, workdir, write } from './run-cli.js';

const dir = workdir();
const people = write(
  dir,
  'people.csv',
  [
    'name,city,id',
    'Jonathan Smith,London,1',
    'Jonathon Smith,london,2',
    'Maria Garcia,Madrid,3',
    'Jonathan Smith,London,4',
    'María García,Madrid.,5',
    'Zoe Quinn,Oslo,6',
  ].join('\n') + '\n',
);

describe('tidyvault duplicates', () => {
  it('prints candidate groups with their score and how many rows hold each spelling (--json)', () => {
    const r = tidyvault(['duplicates', people, '--columns', 'name,city', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ columns: ['name', 'city'], tuples: 5, truncated: false });
    expect(out.groups.map((g: { score: number }) => ({ ...g, score: +g.score.toFixed(4) }))).toEqual([
      {
        score: 1,
        keys: [
          ['Maria Garcia', 'Madrid'],
          ['María García', 'Madrid.'],
        ],
        counts: [1, 1],
      },
      {
        score: 0.9643,
        keys: [
          ['Jonathan Smith', 'London'],
          ['Jonathon Smith', 'london'],
        ],
        counts: [2, 1],
      },
    ]);
  });

  it('a higher threshold links fewer rows; identical rows stay a group', () => {
    const r = tidyvault(['duplicates', people, '--columns', 'name,city', '--threshold', '0.99', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).groups.map((g: { keys: unknown[]; counts: number[] }) => g.counts)).toEqual([
      [1, 1],
      [2],
    ]);
  });

  it('names an unknown column, and a column that is not text is refused', () => {
    const r = tidyvault(['duplicates', people, '--columns', 'name,nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/column "nope" does not exist/);
    const usage = tidyvault(['duplicates', people, '--columns', 'name', '--threshold', '2']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--threshold must be a number from 0.5 to 1/);
  });
});
