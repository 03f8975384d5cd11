import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, upload, type Harness } from '../test-support.js';

const CSV = [
  'name,city,amount',
  'Jonathan Smith,London,1',
  'Jonathon Smith,london,2',
  'Maria Garcia,Madrid,3',
  'Jonathan Smith,London,4',
  'María García,Madrid.,5',
  'Jonathan Smith,Leeds,6',
  'Peter Parker,,7',
  'Peter Parker,,8',
  'Zoe Quinn,Oslo,9',
].join('\n');

describe('POST /api/datasets/:id/duplicates', () => {
  let h: Harness;
  let auth: Record<string, string>;
  let id: string;
  beforeAll(async () => {
    h = await harness();
    auth = (await h.login()).headers;
    const res = await upload(h, auth, 'people.csv', CSV);
    expect(res.statusCode, res.body).toBe(201);
    id = res.json().id;
  });
  afterAll(() => h.close());

  const post = (url: string, payload: object) =>
    h.t.app.inject({ method: 'POST', url, headers: auth, payload });

  it('finds candidate groups over several columns with a score and the rows each spelling has', async () => {
    const res = await post(`/api/datasets/${id}/duplicates`, { columns: ['name', 'city'] });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.tuples).toBe(7);
    expect(body.truncated).toBe(false);
    expect(body.groups.map((g: { score: number }) => ({ ...g, score: +g.score.toFixed(4) }))).toEqual([
      {
        score: 1,
        keys: [
          ['Maria Garcia', 'Madrid'],
          ['María García', 'Madrid.'],
        ],
        counts: [1, 1],
      },
      { score: 1, keys: [['Peter Parker', '']], counts: [2] },
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

  it('confirmed groups become a dedupe-groups step that keeps one row per group', async () => {
    const found = (await post(`/api/datasets/${id}/duplicates`, { columns: ['name', 'city'] })).json();
    const step = { op: 'dedupe-groups', columns: ['name', 'city'], groups: [found.groups[2].keys] };
    const res = await post(`/api/datasets/${id}/steps`, { step });
    expect(res.statusCode, res.body).toBe(200);
    const rows = await h.t.app.inject({ method: 'GET', url: `/api/datasets/${id}/rows`, headers: auth });
    expect(rows.json().rows.map((r: string[]) => r[2])).toEqual(['1', '3', '5', '6', '7', '8', '9']);
    await post(`/api/datasets/${id}/undo`, {});
  });

  it('refuses unknown and non-text columns, naming them', async () => {
    const unknown = await post(`/api/datasets/${id}/duplicates`, { columns: ['nope'] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.column).toBe('nope');
    expect(
      (await post(`/api/datasets/${id}/steps`, { step: { op: 'to-number', columns: ['amount'] } }))
        .statusCode,
    ).toBe(200);
    const typed = await post(`/api/datasets/${id}/duplicates`, { columns: ['amount'] });
    expect(typed.statusCode).toBe(422);
    expect(typed.json().error).toMatchObject({ code: 'RECIPE_TYPE', column: 'amount' });
  });

  it('someone else’s dataset is a 404', async () => {
    const other = await h.t.app.inject({
      method: 'POST',
      url: `/api/datasets/${id}/duplicates`,
      headers: { ...auth, cookie: 'tidyvault-sid=nobody' },
      payload: { columns: ['name'] },
    });
    expect([401, 404]).toContain(other.statusCode);
  });
});
