import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localHarness, type LocalHarness, type SignedIn } from '../auth/test-local.js';
import { newKeyText, parseKey, SecretsStore, type PostgresSettings } from '../secrets/index.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from './test-postgres.js';

const CANARY = 'CANARY_PW_c0ffee42';
const skip = postgresUnavailable();

let server: TestPostgres;
let h: LocalHarness;
let alice: SignedIn;
let bob: SignedIn;
let victor: SignedIn;
const responses: LightMyRequestResponse[] = [];
const key = parseKey(newKeyText(), 'test key');

const settings = (o: Partial<PostgresSettings> = {}): PostgresSettings => ({
  host: 'localhost',
  port: server.port,
  database: 'postgres',
  user: server.user,
  sslmode: 'verify-full',
  caFile: server.certs.caFile,
  serverUsers: [],
  ...o,
});

async function call(
  who: SignedIn | undefined,
  method: 'GET' | 'POST',
  url: string,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  const res = await h.t.app.inject({
    method,
    url,
    headers: who ? (method === 'GET' ? { cookie: who.cookie } : who.headers) : {},
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  responses.push(res);
  return res;
}

const importAs = (who: SignedIn | undefined, body: Record<string, unknown>) =>
  call(who, 'POST', '/api/datasets/import/postgres', body);

describe.skipIf(skip !== undefined)('POST /api/datasets/import/postgres and GET /api/connections', () => {
  let home: string;
  beforeAll(async () => {
    server = await startTestPostgres({ password: CANARY });
    await server.sql(
      "CREATE TABLE public.people AS SELECT * FROM (VALUES (1, ' Ann '), (2, 'Bob'), (3, NULL)) AS t(id, name)",
    );
    await server.sql('CREATE SEQUENCE public.people_seq');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-pg-routes-'));
    const store = new SecretsStore(home, key);
    store.setPostgres('pg.shop', settings({ serverUsers: ['alice'] }), CANARY);
    store.setPostgres('pg.everyone', settings({ serverUsers: ['*'] }), CANARY);
    store.setPostgres('pg.cli', settings(), CANARY);
    store.setPostgres('pg.noca', settings({ serverUsers: ['*'], caFile: undefined }), CANARY);
    h = await localHarness(
      [
        { name: 'alice', password: 'alice-password-1' },
        { name: 'bob', password: 'bob-password-12' },
        { name: 'victor', password: 'victor-password', role: 'viewer' },
      ],
      { secrets: new SecretsStore(home, key) },
    );
    alice = await h.signIn('alice', 'alice-password-1');
    bob = await h.signIn('bob', 'bob-password-12');
    victor = await h.signIn('victor', 'victor-password');
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await server?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('lists only the connections open to the caller, with the password write-only (null, hasPassword)', async () => {
    const a = await call(alice, 'GET', '/api/connections');
    expect(a.statusCode).toBe(200);
    expect(a.json()).toEqual({
      connections: [
        {
          name: 'pg.everyone',
          kind: 'postgres',
          host: 'localhost',
          port: server.port,
          database: 'postgres',
          sslmode: 'verify-full',
          password: null,
          hasPassword: true,
        },
        expect.objectContaining({ name: 'pg.noca' }),
        expect.objectContaining({ name: 'pg.shop', password: null, hasPassword: true }),
      ],
    });
    const b = await call(bob, 'GET', '/api/connections');
    expect((b.json() as { connections: { name: string }[] }).connections.map((c) => c.name)).toEqual([
      'pg.everyone',
      'pg.noca',
    ]);
  });

  it('imports a table over verified TLS into a dataset of the caller, audited as an import', async () => {
    const res = await importAs(alice, { connection: 'pg.shop', table: 'public.people' });
    expect(res.statusCode).toBe(201);
    const body = res.json() as { id: string; name: string; rows: number; owner: string };
    expect(body).toMatchObject({ name: 'pg.shop: public.people', rows: 3, owner: 'alice' });
    const rows = await call(alice, 'GET', `/api/datasets/${body.id}/rows`);
    expect((rows.json() as { rows: unknown[][] }).rows).toEqual([
      ['1', ' Ann '],
      ['2', 'Bob'],
      ['3', null],
    ]);
    // Nobody else sees it.
    expect((await call(bob, 'GET', `/api/datasets/${body.id}/rows`)).statusCode).toBe(404);
    const audit = await call(alice, 'GET', '/api/audit');
    expect(JSON.stringify(audit.json())).toContain('"import"');
    expect(JSON.stringify(audit.json())).toContain(body.id);
  });

  it('imports a read-only query, and refuses one that writes', async () => {
    const ok = await importAs(bob, {
      connection: 'pg.everyone',
      query: 'SELECT name FROM public.people WHERE id > 1 ORDER BY id',
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ rows: 2, name: 'pg.everyone: query' });
    const write = await importAs(bob, {
      connection: 'pg.everyone',
      query: "SELECT nextval('public.people_seq')",
    });
    expect(write.statusCode).toBe(400);
    expect(write.json()).toMatchObject({ error: { code: 'POSTGRES_READ_ONLY' } });
    const del = await importAs(bob, { connection: 'pg.everyone', query: 'DELETE FROM public.people' });
    expect(del.statusCode).toBe(400);
    expect(del.json()).toMatchObject({ error: { code: 'POSTGRES_READ_ONLY' } });
    expect(
      await server.sql(
        'SELECT (SELECT count(*) FROM public.people)::int, (SELECT is_called FROM public.people_seq)',
      ),
    ).toEqual([[3, false]]);
  });

  it('answers the same 404 for a connection that is unknown, CLI-only or someone else’s', async () => {
    const bodies = await Promise.all([
      importAs(bob, { connection: 'pg.shop', table: 'public.people' }),
      importAs(bob, { connection: 'pg.cli', table: 'public.people' }),
      importAs(bob, { connection: 'pg.nope', table: 'public.people' }),
    ]);
    for (const r of bodies) {
      expect(r.statusCode).toBe(404);
      expect(r.body).toBe(bodies[0]!.body);
    }
    expect(bodies[0]!.json()).toMatchObject({ error: { code: 'CONNECTION_NOT_FOUND' } });
  });

  it('refuses viewers (403) and strangers (401)', async () => {
    expect((await importAs(victor, { connection: 'pg.everyone', table: 'public.people' })).statusCode).toBe(
      403,
    );
    expect(
      (await importAs(undefined, { connection: 'pg.everyone', table: 'public.people' })).statusCode,
    ).toBe(401);
    expect((await call(undefined, 'GET', '/api/connections')).statusCode).toBe(401);
  });

  it('refuses a server whose certificate it cannot verify (502 POSTGRES_TLS)', async () => {
    const res = await importAs(alice, { connection: 'pg.noca', table: 'public.people' });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ error: { code: 'POSTGRES_TLS' } });
    expect((res.json() as { error: { message: string } }).error.message).toContain('certificate');
  });

  it('checks the body: exactly one of table or query', async () => {
    expect((await importAs(alice, { connection: 'pg.shop' })).statusCode).toBe(400);
    expect((await importAs(alice, { connection: 'pg.shop', table: 't', query: 'SELECT 1' })).statusCode).toBe(
      400,
    );
  });

  it("exports a dataset after its recipe to a new table; refuses an existing one, and others' datasets", async () => {
    const imported = await importAs(alice, { connection: 'pg.shop', table: 'public.people' });
    expect(imported.statusCode).toBe(201);
    const id = (imported.json() as { id: string }).id;
    const step = await call(alice, 'POST', `/api/datasets/${id}/steps`, {
      step: { op: 'trim', columns: ['name'] },
    });
    expect(step.statusCode, step.body).toBe(200);
    const exportAs = (who: SignedIn, body: Record<string, unknown>, datasetId = id) =>
      call(who, 'POST', `/api/datasets/${datasetId}/export/postgres`, body);
    const res = await exportAs(alice, { connection: 'pg.shop', table: 'public.people_clean' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({ table: 'public.people_clean', rows: 3, columns: 2 });
    expect(await server.sql('SELECT id, name FROM public.people_clean ORDER BY id')).toEqual([
      ['1', 'Ann'],
      ['2', 'Bob'],
      ['3', null],
    ]);
    const again = await exportAs(alice, { connection: 'pg.shop', table: 'public.people_clean' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('POSTGRES_TABLE_EXISTS');
    // Someone else's dataset is the 404 of an unknown id, even with a connection open to them.
    const foreign = await exportAs(bob, { connection: 'pg.everyone', table: 'public.stolen' });
    const unknown = await exportAs(bob, { connection: 'pg.everyone', table: 'public.stolen' }, 'no-such-id');
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).toBe(unknown.body);
    expect(await server.sql("SELECT count(*) FROM pg_tables WHERE tablename = 'stolen'")).toEqual([['0']]);
    // A connection not open to the caller is the 404 of an unknown connection.
    const closed = await exportAs(alice, { connection: 'pg.cli', table: 'public.other' });
    expect(closed.statusCode).toBe(404);
    expect(closed.json().error.code).toBe('CONNECTION_NOT_FOUND');
    const audit = await call(alice, 'GET', '/api/audit?limit=20');
    const actions = (audit.json() as { events: { action: string; result: string }[] }).events;
    expect(actions.some((r) => r.action === 'export' && r.result === 'ok')).toBe(true);
  });

  it('never puts the password in any response or log line', () => {
    expect(responses.length).toBeGreaterThan(10);
    for (const r of responses) expect(r.body).not.toContain(CANARY);
    expect(h.logs()).toContain('postgres.import');
    expect(h.logs()).not.toContain(CANARY);
    expect(h.logs()).not.toContain('public.people WHERE');
  });
});

describe.skipIf(skip !== undefined)('a server that cannot open its secrets', () => {
  it('answers 503 SECRETS_UNAVAILABLE with the wrong key, and 404 without a store', async () => {
    server = await startTestPostgres({ password: CANARY });
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-pg-routes-'));
    try {
      new SecretsStore(home, key).setPostgres('pg.any', settings({ serverUsers: ['*'] }), CANARY);
      const wrong = await localHarness([{ name: 'alice', password: 'alice-password-1' }], {
        secrets: new SecretsStore(home, parseKey(newKeyText(), 'another key')),
      });
      try {
        const who = await wrong.signIn('alice', 'alice-password-1');
        const res = await wrong.t.app.inject({
          method: 'POST',
          url: '/api/datasets/import/postgres',
          headers: who.headers,
          payload: { connection: 'pg.any', table: 'x' },
        });
        expect(res.statusCode).toBe(503);
        expect(res.json()).toMatchObject({ error: { code: 'SECRETS_UNAVAILABLE' } });
        expect(wrong.logs()).toContain('WRONG_KEY');
      } finally {
        await wrong.close();
      }
      const none = await localHarness([{ name: 'alice', password: 'alice-password-1' }]);
      try {
        const who = await none.signIn('alice', 'alice-password-1');
        const res = await none.t.app.inject({
          method: 'POST',
          url: '/api/datasets/import/postgres',
          headers: who.headers,
          payload: { connection: 'pg.any', table: 'x' },
        });
        expect(res.statusCode).toBe(404);
        const list = await none.t.app.inject({
          method: 'GET',
          url: '/api/connections',
          headers: { cookie: who.cookie },
        });
        expect(list.json()).toEqual({ connections: [] });
      } finally {
        await none.close();
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
      await server.stop();
    }
  });
});

if (skip !== undefined) it.skip(`PostgreSQL route tests: ${skip}`, () => undefined);
