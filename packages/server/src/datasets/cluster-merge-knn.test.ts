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
});
