import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, upload, type Harness } from '../test-support.js';

// A nearest-neighbour cluster-merge clusters the values its own input holds: pages (also from a
// held recipe state), the export and the profile agree, and another dataset with the same
// recipe is clustered on its values, not on the first one's.
const steps = [
  { op: 'trim', columns: ['company'] },
  { op: 'cluster-merge', column: 'company', method: 'levenshtein', params: { radius: 1 } },
];

describe('cluster-merge with levenshtein over HTTP', () => {
  let h: Harness;
  let auth: Record<string, string>;
  beforeAll(async () => {
    h = await harness();
    auth = (await h.login()).headers;
  });
  afterAll(() => h.close());

  const get = (url: string) => h.t.app.inject({ method: 'GET', url, headers: auth });
  const post = (url: string, payload: object) =>
    h.t.app.inject({ method: 'POST', url, headers: auth, payload });

  async function cleaned(name: string, csv: string): Promise<string> {
    const res = await upload(h, auth, name, csv);
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    for (const step of steps) {
      const r = await post(`/api/datasets/${id}/steps`, { step });
      expect(r.statusCode, r.body).toBe(200);
    }
    return id;
  }

  it('merges each dataset’s own clusters in pages, exports and profiles', async () => {
    const a = await cleaned(
      'a.csv',
      'company,n\nAcme Inc,1\n Acme Inc ,2\nAcme Inx,3\nGlobex Corporation,4\nGlobez Corporation,5\nGlobex Corporation,6\n',
    );
    const b = await cleaned('b.csv', 'company,n\nAcme Inx,1\nAcme Inx,2\nAcme Inc,3\n');
    const pageA = await get(`/api/datasets/${a}/rows?offset=0&limit=10`);
    expect(pageA.statusCode, pageA.body).toBe(200);
    expect(pageA.json().rows.map((r: string[]) => r[0])).toEqual([
      'Acme Inc',
      'Acme Inc',
      'Acme Inc',
      'Globex Corporation',
      'Globex Corporation',
      'Globex Corporation',
    ]);
    const pageB = await get(`/api/datasets/${b}/rows?offset=0&limit=10`);
    expect(pageB.json().rows.map((r: string[]) => r[0])).toEqual(['Acme Inx', 'Acme Inx', 'Acme Inx']);
    const exportA = await get(`/api/datasets/${a}/export?format=csv`);
    expect(exportA.statusCode, exportA.body).toBe(200);
    expect(
      exportA.body
        .split('\n')
        .slice(1, 7)
        .map((l) => l.split(',')[0]),
    ).toEqual([
      '"Acme Inc"',
      '"Acme Inc"',
      '"Acme Inc"',
      '"Globex Corporation"',
      '"Globex Corporation"',
      '"Globex Corporation"',
    ]);
    const profileB = await get(`/api/datasets/${b}/profile`);
    expect(profileB.statusCode, profileB.body).toBe(200);
    const company = profileB.json().columns.find((c: { name: string }) => c.name === 'company');
    expect(company).toMatchObject({ distinct: 1, topValues: [{ value: 'Acme Inx', count: 3 }] });
    // Once a has gone, b still reads (its tables are made again if they were dropped).
    expect(
      (await h.t.app.inject({ method: 'DELETE', url: `/api/datasets/${a}`, headers: auth })).statusCode,
    ).toBe(204);
    const again = await get(`/api/datasets/${b}/rows?offset=1&limit=2`);
    expect(again.json().rows.map((r: string[]) => r[0])).toEqual(['Acme Inx', 'Acme Inx']);
  });

  it('stops clustering for a page and a state no longer wanted (the step undone meanwhile)', async () => {
    // ~80,000 distinct values over four letters, each a neighbour of many: seconds of clustering.
    let seed = 7;
    const random = () => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
    const values = Array.from({ length: 100_000 }, () =>
      Array.from({ length: 9 }, () => 'abcd'[Math.floor(random() * 4)]).join(''),
    );
    const id = (await upload(h, auth, 'dense.csv', 'v\n' + values.join('\n') + '\n')).json().id as string;
    const step = { op: 'cluster-merge', column: 'v', method: 'levenshtein' };
    expect((await post(`/api/datasets/${id}/steps`, { step })).statusCode).toBe(200);
    // The first page clusters (its spellings need the clusters of every value); its state is
    // made beside it. The step is undone while they work: both stop.
    const page = get(`/api/datasets/${id}/rows?offset=0&limit=10`);
    await new Promise((r) => setTimeout(r, 300));
    expect((await post(`/api/datasets/${id}/undo`, {})).statusCode).toBe(200);
    const stopped = await page;
    expect(stopped.statusCode, stopped.body).toBe(499);
    expect(stopped.json().error).toMatchObject({ code: 'CANCELLED' });
    await (await h.t.store.get(id, 'local', 'test'))!.states.settled();
    const maps = await h.engine.connection.runAndReadAll(
      "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'cluster_map_%'",
    );
    expect(maps.getRowsJson()).toEqual([]);
  });
});
