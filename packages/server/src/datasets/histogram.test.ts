import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, upload, type Harness } from '../test-support.js';

const CSV = [
  'name,city,amount',
  'a,paris,0',
  'b,paris,10',
  'c,lyon,10',
  'd,lyon,25',
  'e,nice,100',
  'f,nice,',
].join('\n');

const q = (where: unknown) => encodeURIComponent(JSON.stringify(where));

describe('GET /api/datasets/:id/histogram (the numeric facet)', () => {
  let h: Harness;
  let auth: Record<string, string>;
  let id: string;
  beforeAll(async () => {
    h = await harness();
    auth = (await h.login()).headers;
    const res = await upload(h, auth, 'amounts.csv', CSV);
    expect(res.statusCode, res.body).toBe(201);
    id = res.json().id;
  });
  afterAll(() => h.close());

  const get = (url: string) => h.t.app.inject({ method: 'GET', url, headers: auth });
  const step = (s: object) =>
    h.t.app.inject({ method: 'POST', url: `/api/datasets/${id}/steps`, headers: auth, payload: { step: s } });

  it('refuses a text column, naming it and what to do', async () => {
    const res = await get(`/api/datasets/${id}/histogram?column=amount`);
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'RECIPE_TYPE', column: 'amount' });
    expect(res.json().error.message).toMatch(/convert it to numbers/);
  });

  it("counts the lengths of a text column's values, one bin per length when they are few", async () => {
    const res = await get(`/api/datasets/${id}/histogram?column=amount&of=length`);
    expect(res.statusCode, res.body).toBe(200);
    // "0", "10", "10", "25", "100" and one empty cell (text, length 0).
    expect(res.json()).toEqual({
      column: 'amount',
      min: 0,
      max: 3,
      bins: [
        { from: 0, to: 1, count: 1 },
        { from: 1, to: 2, count: 1 },
        { from: 2, to: 3, count: 3 },
        { from: 3, to: 4, count: 1 },
      ],
      missing: 0,
    });
    const few = await get(`/api/datasets/${id}/histogram?column=name&of=length&bins=5`);
    expect(few.json().bins).toEqual([{ from: 1, to: 1, count: 6 }]);
    const wide = await get(`/api/datasets/${id}/histogram?column=amount&of=length&bins=2`);
    expect(wide.json().bins).toEqual([
      { from: 0, to: 2, count: 2 },
      { from: 2, to: 4, count: 4 },
    ]);
  });

  it('counts every number into equal-width bins under the current recipe, the maximum in the last bin', async () => {
    expect((await step({ op: 'to-number', columns: ['amount'] })).statusCode).toBe(200);
    const res = await get(`/api/datasets/${id}/histogram?column=amount&bins=4`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      column: 'amount',
      min: 0,
      max: 100,
      bins: [
        { from: 0, to: 25, count: 3 },
        { from: 25, to: 50, count: 1 },
        { from: 50, to: 75, count: 0 },
        { from: 75, to: 100, count: 1 },
      ],
      missing: 1,
    });
  });

  it('combines with a where filter (the other facets)', async () => {
    const where = { column: 'city', op: 'in', value: ['paris', 'lyon'] };
    const res = await get(`/api/datasets/${id}/histogram?column=amount&bins=2&where=${q(where)}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      min: 0,
      max: 25,
      bins: [
        { from: 0, to: 12.5, count: 3 },
        { from: 12.5, to: 25, count: 1 },
      ],
      missing: 0,
    });
  });

  it('one value: one bin; no numbers at all: no bins', async () => {
    const one = await get(
      `/api/datasets/${id}/histogram?column=amount&where=${q({ column: 'name', op: 'eq', value: 'b' })}`,
    );
    expect(one.json()).toMatchObject({ min: 10, max: 10, bins: [{ from: 10, to: 10, count: 1 }] });
    const none = await get(
      `/api/datasets/${id}/histogram?column=amount&where=${q({ column: 'name', op: 'eq', value: 'f' })}`,
    );
    expect(none.json()).toMatchObject({ min: null, max: null, bins: [], missing: 1 });
  });

  it('an unknown column is a 422 naming it', async () => {
    const res = await get(`/api/datasets/${id}/histogram?column=nope`);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.column).toBe('nope');
  });
});
