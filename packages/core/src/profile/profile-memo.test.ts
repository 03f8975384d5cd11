import { describe, expect, it } from 'vitest';
import type { Recipe } from '../recipe/schema.js';
import type { Step } from '../steps/registry.js';
import type { Column } from '../steps/types.js';
import { ProfileMemo } from './profile-memo.js';
import type { ColumnProfile, Profile } from './profile-query.js';

const source: Column[] = [
  { name: 'a', type: 'text' },
  { name: 'b', type: 'text' },
];

const columnProfile = (name: string, tag: string): ColumnProfile => ({
  name,
  type: 'text',
  nulls: 0,
  blanks: 0,
  distinct: 1,
  minLength: 1,
  maxLength: 1,
  topValues: [{ value: tag, count: 1 }],
  inferredType: 'text',
  padded: 0,
  mixedCase: 0,
  typeShare: null,
});

/** A fake engine: each computed column's top value says at which call it was computed. */
function fake() {
  const asked: (string[] | undefined)[] = [];
  const compute = (recipe: Recipe) => async (columns: string[] | undefined) => {
    asked.push(columns);
    const names =
      columns ?? (recipe.steps.some((s) => s.op === 'split-column') ? ['a', 'x', 'y'] : ['a', 'b']);
    return { rows: 7, columns: names.map((n) => columnProfile(n, `call ${asked.length}`)) } satisfies Profile;
  };
  return { asked, compute };
}

const recipe = (...steps: Step[]): Recipe => ({ version: 1, steps });
const trimA: Step = { op: 'trim', columns: ['a'] };

describe('ProfileMemo', () => {
  it('computes every column first, then only the ones a step changed, and nothing twice', async () => {
    const memo = new ProfileMemo(source);
    const { asked, compute } = fake();
    await memo.get(recipe(), compute(recipe()));
    const after = await memo.get(recipe(trimA), compute(recipe(trimA)));
    expect(asked).toEqual([undefined, ['a']]);
    expect(after.columns.map((c) => [c.name, c.topValues[0]!.value])).toEqual([
      ['a', 'call 2'],
      ['b', 'call 1'],
    ]);
    expect(await memo.get(recipe(trimA), compute(recipe(trimA)))).toBe(after);
    expect(asked).toHaveLength(2);
  });

  it('asks for nothing after a sort, and keeps the row count', async () => {
    const memo = new ProfileMemo(source);
    const { asked, compute } = fake();
    await memo.get(recipe(), compute(recipe()));
    const sorted = recipe({ op: 'sort-rows', by: [{ column: 'b' }] });
    expect((await memo.get(sorted, compute(sorted))).rows).toBe(7);
    expect(asked).toEqual([undefined]);
  });

  it('computes new columns in the output order, and everything again without an earlier profile', async () => {
    const memo = new ProfileMemo(source);
    const { asked, compute } = fake();
    const split = recipe({ op: 'split-column', column: 'b', separator: ';', into: ['x', 'y'] });
    await memo.get(split, compute(split));
    expect(asked).toEqual([undefined]);
    await memo.get(recipe(), compute(recipe()));
    const more = recipe(trimA, ...split.steps);
    await memo.get(recipe(trimA), compute(recipe(trimA)));
    const p = await memo.get(more, compute(more));
    expect(asked.at(-1)).toEqual(['x', 'y']);
    expect(p.columns.map((c) => c.name)).toEqual(['a', 'x', 'y']);
  });

  it('waits for the profile of an earlier step still being made (steps posted in a burst)', async () => {
    const memo = new ProfileMemo(source);
    const { asked, compute } = fake();
    await memo.get(recipe(), compute(recipe()));
    let finish!: () => void;
    const held = new Promise<void>((r) => (finish = r));
    const slow = (r: Recipe) => async (columns: string[] | undefined) => {
      await held;
      return compute(r)(columns);
    };
    const first = memo.get(recipe(trimA), slow(recipe(trimA)));
    const changeB: Step = { op: 'change-case', columns: ['b'], case: 'upper' };
    const second = memo.get(recipe(trimA, changeB), compute(recipe(trimA, changeB)));
    finish();
    await Promise.all([first, second]);
    expect(asked).toEqual([undefined, ['a'], ['b']]);
  });

  it('keeps nothing once cleared (the dataset was purged)', async () => {
    const memo = new ProfileMemo(source);
    const { asked, compute } = fake();
    await memo.get(recipe(), compute(recipe()));
    memo.clear();
    await memo.get(recipe(), compute(recipe()));
    await memo.get(recipe(), compute(recipe()));
    expect(asked).toEqual([undefined, undefined, undefined]);
  });

  it('forgets a failed computation', async () => {
    const memo = new ProfileMemo(source);
    await expect(memo.get(recipe(), () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const { asked, compute } = fake();
    await memo.get(recipe(), compute(recipe()));
    expect(asked).toEqual([undefined]);
  });
});
