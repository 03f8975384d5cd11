import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, upload, type Harness } from '../test-support.js';

const CSV = ['name,note', 'Alice,=1+1', 'Bob,plain'].join('\n');
const HOLD_MS = 400;

describe('exports prepared for one download (POST /exports, then its href)', () => {
  let h: Harness;
  let auth: Record<string, string>;
  let id: string;
  beforeAll(async () => {
    h = await harness({ exportHoldMs: HOLD_MS });
    auth = (await h.login()).headers;
    const res = await upload(h, auth, 'people.csv', CSV);
    expect(res.statusCode, res.body).toBe(201);
    id = res.json().id;
  });
  afterAll(() => h.close());

  const get = (url: string) => h.t.app.inject({ method: 'GET', url, headers: auth });
  const prepare = (dataset: string, payload: object) =>
    h.t.app.inject({ method: 'POST', url: `/api/datasets/${dataset}/exports`, headers: auth, payload });

  it('builds the file, lists it under /location, serves it once and leaves nothing', async () => {
    const res = await prepare(id, { format: 'csv' });
    expect(res.statusCode, res.body).toBe(201);
    const { href, bytes, expiresAt } = res.json();
    expect(href).toMatch(new RegExp(`^/api/datasets/${id}/exports/[A-Za-z0-9_-]{43}$`));
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    expect(h.stagingFiles()).toHaveLength(1);
    const where = (await get(`/api/datasets/${id}/location`)).json();
    expect(where.preparedExports).toEqual([
      expect.objectContaining({ bytes, format: 'csv', user: 'local', until: expiresAt }),
    ]);

    const file = await get(href);
    expect(file.statusCode, file.body).toBe(200);
    expect(file.headers['content-disposition']).toContain('people-clean.csv');
    expect(file.headers['cache-control']).toBe('no-store');
    expect(file.body).toBe(`"name","note"\n"Alice","'=1+1"\n"Bob","plain"\n`);
    expect(Buffer.byteLength(file.body)).toBe(bytes);
    expect(h.stagingFiles()).toEqual([]);
    expect((await get(`/api/datasets/${id}/location`)).json().preparedExports).toEqual([]);

    const again = await get(href);
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('EXPORT_NOT_FOUND');
  });

  it('takes the formula guard off when asked', async () => {
    const res = await prepare(id, { format: 'tsv', formulaGuard: false });
    expect(res.statusCode, res.body).toBe(201);
    expect((await get(res.json().href)).body).toBe('name\tnote\nAlice\t=1+1\nBob\tplain\n');
  });

  it('answers an export that cannot be made with its error, keeping nothing', async () => {
    const big = await upload(h, auth, 'long.csv', `a,b\nx,${'y'.repeat(40_000)}\n`);
    const res = await prepare(big.json().id, { format: 'xlsx' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('EXPORT');
    expect(res.json().error.message).toMatch(/^row 1, column "b": 40000 characters/);
    expect(h.stagingFiles()).toEqual([]);
    const bad = await prepare(id, { format: 'exe' });
    expect(bad.statusCode).toBe(400);
    expect(h.stagingFiles()).toEqual([]);
  });

  it('keeps the last three exports of a user (two tabs, a second click), the oldest going', async () => {
    const hrefs: string[] = [];
    for (const format of ['csv', 'tsv', 'json', 'ndjson'])
      hrefs.push((await prepare(id, { format })).json().href);
    expect(h.stagingFiles()).toHaveLength(3);
    expect((await get(hrefs[0]!)).statusCode).toBe(404);
    expect(JSON.parse((await get(hrefs[2]!)).body)).toHaveLength(2);
    for (const href of [hrefs[1]!, hrefs[3]!]) expect((await get(href)).statusCode).toBe(200);
    expect(h.stagingFiles()).toEqual([]);
  });

  it('deletes an export nobody downloads once its time is up', async () => {
    const { href } = (await prepare(id, { format: 'csv' })).json();
    expect(h.stagingFiles()).toHaveLength(1);
    await sleep(HOLD_MS + 200);
    expect(h.stagingFiles()).toEqual([]);
    expect((await get(href)).statusCode).toBe(404);
  });

  it('deletes a waiting export with its dataset', async () => {
    const other = (await upload(h, auth, 'gone.csv', 'x\nsecret\n')).json().id;
    const { href } = (await prepare(other, { format: 'csv' })).json();
    expect(h.stagingFiles()).toHaveLength(1);
    const del = await h.t.app.inject({ method: 'DELETE', url: `/api/datasets/${other}`, headers: auth });
    expect(del.statusCode).toBe(204);
    expect(h.stagingFiles()).toEqual([]);
    expect((await get(href)).statusCode).toBe(404);
  });

  it('stops building, and keeps nothing, when the client leaves before the export is ready', async () => {
    const rows = Array.from({ length: 150_000 }, (_, i) => `${i},name ${i},note ${i}`);
    const big = (await upload(h, auth, 'many.csv', ['id,name,note', ...rows].join('\n'))).json().id;
    const url = await h.t.app.listen({ port: 0, host: '127.0.0.1' });
    const leave = new AbortController();
    const asked = fetch(`${url}/api/datasets/${big}/exports`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', origin: url, host: new URL(url).host },
      body: JSON.stringify({ format: 'xlsx' }),
      signal: leave.signal,
    }).catch(() => 'left');
    // The XLSX rows are being written (seconds for 150,000 rows) when the client goes.
    await expect.poll(() => h.stagingFiles().length, { timeout: 10_000, interval: 20 }).toBe(1);
    leave.abort();
    expect(await asked).toBe('left');
    await expect.poll(() => h.stagingFiles(), { timeout: 10_000 }).toEqual([]);
    // Had the build gone on, its file would wait for a download now.
    await sleep(1_000);
    expect(h.stagingFiles()).toEqual([]);
    expect((await get(`/api/datasets/${big}/location`)).json().preparedExports).toEqual([]);
  });

  it.each(['csv', 'xlsx'])(
    'keeps nothing of a %s export whose dataset is deleted while it is built',
    async (format) => {
      const rows = Array.from({ length: 150_000 }, (_, i) => `${i},name ${i},note ${i}`);
      const doomed = (await upload(h, auth, 'doomed.csv', ['id,name,note', ...rows].join('\n'))).json().id;
      const asked = prepare(doomed, { format });
      await sleep(5);
      const del = await h.t.app.inject({ method: 'DELETE', url: `/api/datasets/${doomed}`, headers: auth });
      expect(del.statusCode).toBe(204);
      const res = await asked;
      expect(res.statusCode, res.body).not.toBe(201);
      expect(h.stagingFiles()).toEqual([]);
    },
  );

  it('needs the CSRF token to prepare', async () => {
    const res = await h.t.app.inject({
      method: 'POST',
      url: `/api/datasets/${id}/exports`,
      headers: { cookie: auth.cookie! },
      payload: { format: 'csv' },
    });
    expect(res.statusCode).toBe(403);
    expect(h.stagingFiles()).toEqual([]);
  });
});
