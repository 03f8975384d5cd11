import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, upload, type Harness } from './test-support.js';

describe('logs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it('record operations and timings, never cell values, file names or tokens', async () => {
    const token = h.t.issueLoginToken();
    const login = await h.t.app.inject({ url: `/auth/token?token=${token}` });
    const c = login.cookies[0]!;
    const cookie = `${c.name}=${c.value}`;
    const csrf = (await h.t.app.inject({ url: '/api/auth/me', headers: { cookie } })).json()
      .csrfToken as string;
    const headers = { cookie, 'x-tidyvault-csrf': csrf };

    const cell = 'CANARYCELL7f3a';
    const file = 'CANARYFILE91bd.csv';
    const res = await upload(h, headers, file, `who,n\n${cell},x\n=${cell},2\n`);
    expect(res.statusCode).toBe(201);
    const id = res.json().id as string;
    const ops = [
      h.t.app.inject({ url: `/api/datasets/${id}/rows`, headers }),
      h.t.app.inject({ url: `/api/datasets/${id}/facet?column=who`, headers }),
      h.t.app.inject({ url: `/api/datasets/${id}/profile`, headers }),
      h.t.app.inject({ url: `/api/datasets/${id}/export?format=xlsx`, headers }),
    ];
    for (const r of await Promise.all(ops)) expect(r.statusCode).toBe(200);
    // Refusals whose messages quote what the user gave: the response may, the log must not.
    // A step whose pattern DuckDB refuses (a pattern typed from a cell):
    const step = await h.t.app.inject({
      method: 'POST',
      url: `/api/datasets/${id}/steps`,
      headers,
      payload: { step: { op: 'filter-rows', where: { column: 'who', op: 'matches', value: `(${cell}` } } },
    });
    expect(step.statusCode, step.body).toBe(422);
    expect(step.json().error.message).toContain(cell);
    // An upload refused for its content, named by its file and line:
    const ragged = await upload(h, headers, `bad-${file}`, `who,n\nA,1\n${cell},2,3\n`);
    expect(ragged.statusCode, ragged.body).toBe(400);
    expect(ragged.json().error.message).toContain('CANARYFILE');
    await h.t.app.inject({ url: `/api/datasets/${id}/rows`, headers });
    await h.t.app.inject({ url: `/auth/token?token=${token}` });

    const logs = h.logs();
    expect(logs).toContain('"op":"dataset.upload"');
    expect(logs).toContain('"op":"dataset.export"');
    expect(logs).toMatch(/"route":"\/api\/datasets\/:id\/rows","status":200,"ms":\d+/);
    for (const secret of [cell, 'CANARYFILE', token, c.value, csrf]) expect(logs).not.toContain(secret);
  });
});
