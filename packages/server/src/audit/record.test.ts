import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { localHarness } from '../auth/test-local.js';
import { HOUR, MINUTE } from '../options.js';
import { fakeClock, harness, upload, type Harness } from '../test-support.js';
import { AUDITED_ROUTES, UNAUDITED_ROUTES } from './actions.js';
import { AuditLog } from './log.js';
import { AuditRecorder, registerAuditHooks } from './record.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const OTHER_ID = 'ffffffffffffffffffffffffffffffff';
const CANARY = `CANARY${randomBytes(6).toString('hex')}`;

/** [actor, action, target, result, status]: the fields an auditor reads, seq order. */
const trail = (log: AuditLog) =>
  log
    .list({ limit: 1_000 })
    .reverse()
    .map((r) => [r.actor, r.action, r.target, r.result, r.status] as const);

describe('recording what was done', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('records a whole session, in order, with actor, target and result', async () => {
    const clock = fakeClock();
    h = await harness({ clock: clock.now, sessionIdleMs: 10 * HOUR, sessionAbsoluteMs: 100 * HOUR });
    const inject = h.t.app.inject.bind(h.t.app);
    expect((await inject({ url: '/auth/token?token=wrong' })).statusCode).toBe(401);
    const { headers, cookie } = await h.login();
    const id = (await upload(h, headers, 'people.csv', 'name\n Ann \n')).json().id as string;
    const ds = `/api/datasets/${id}`;
    const ok = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => {
      const res = await inject({ method, url, headers, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
      return res;
    };
    await ok('GET', '/api/datasets');
    await ok('GET', `${ds}/rows`);
    await ok('POST', `${ds}/steps`, { step: { op: 'trim', columns: ['name'] } });
    await ok('POST', `${ds}/undo`);
    await ok('POST', `${ds}/redo`);
    await ok('PUT', `${ds}/recipe`, { recipe: { version: 1, steps: [] } });
    await ok('GET', `${ds}/export?format=csv`);
    // Refusals: someone else's (or no) dataset, a malformed id, no session, no CSRF token.
    expect((await inject({ url: `/api/datasets/${OTHER_ID}/rows`, headers })).statusCode).toBe(404);
    expect((await inject({ url: '/api/datasets/not-an-id/rows', headers })).statusCode).toBe(404);
    expect((await inject({ url: `${ds}/rows` })).statusCode).toBe(401);
    expect((await inject({ method: 'POST', url: `${ds}/undo`, headers: { cookie } })).statusCode).toBe(403);
    // A step that does not fit the data is an error, not a denial.
    const bad = await inject({
      method: 'POST',
      url: `${ds}/steps`,
      headers,
      payload: { step: { op: 'trim', columns: ['nope'] } },
    });
    expect(bad.statusCode).toBe(422);
    await ok('DELETE', ds);
    // Left to expire: the sweep purges it, as the server.
    const idle = (await upload(h, headers, 'idle.csv', 'a\n1\n')).json().id as string;
    clock.advance(61 * MINUTE);
    expect(await h.t.store.sweep()).toBe(1);
    await ok('POST', '/api/auth/logout');

    expect(trail(h.t.audit)).toEqual([
      ['system', 'server_start', null, 'ok', null],
      ['anonymous', 'login_failed', null, 'denied', 401],
      ['local', 'login', null, 'ok', 303],
      ['local', 'upload', id, 'ok', 201],
      ['local', 'list', null, 'ok', 200],
      ['local', 'view', id, 'ok', 200],
      ['local', 'step', id, 'ok', 200],
      ['local', 'undo', id, 'ok', 200],
      ['local', 'redo', id, 'ok', 200],
      ['local', 'recipe_replace', id, 'ok', 200],
      ['local', 'export', id, 'ok', 200],
      ['local', 'access_denied', OTHER_ID, 'denied', 404],
      ['local', 'access_denied', null, 'denied', 404],
      ['anonymous', 'access_denied', id, 'denied', 401],
      ['local', 'access_denied', id, 'denied', 403],
      ['local', 'step', id, 'error', 422],
      ['local', 'delete', id, 'ok', 204],
      ['local', 'upload', idle, 'ok', 201],
      ['system', 'expiry_purge', idle, 'ok', null],
      ['local', 'logout', null, 'ok', 204],
    ]);
    const records = h.t.audit.list({ limit: 1_000 });
    expect(records.find((r) => r.action === 'step')?.route).toBe('POST /api/datasets/:id/steps');
    expect(records.find((r) => r.action === 'expiry_purge')?.owner).toBe('local');
    expect(records[0]!.time).toBe(new Date(clock.now()).toISOString());
    expect(h.t.audit.verify()).toMatchObject({ ok: true, records: records.length });
  });

  it('never stores cell values, file names, column names or tokens', async () => {
    const secretKey = randomBytes(32);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-audit-canary-'));
    dirs.push(dir);
    const file = path.join(dir, 'audit.db');
    const audit = AuditLog.open(file, secretKey);
    h = await harness({ secretKey, audit });
    const loginToken = h.t.issueLoginToken();
    const login = await h.t.app.inject({ url: `/auth/token?token=${loginToken}` });
    const cookie = `tidyvault-sid=${login.cookies[0]!.value}`;
    const csrf = (await h.t.app.inject({ url: '/api/auth/me', headers: { cookie } })).json()
      .csrfToken as string;
    const headers = { cookie, 'x-tidyvault-csrf': csrf };
    const up = await upload(h, headers, `${CANARY}_Jane_Doe.csv`, `${CANARY}_col\n${CANARY}_cell\n`);
    expect(up.statusCode).toBe(201);
    const ds = `/api/datasets/${up.json().id}`;
    for (const [method, url, payload] of [
      [
        'GET',
        `${ds}/rows?where=${encodeURIComponent(JSON.stringify({ column: `${CANARY}_col`, op: 'is-null' }))}`,
      ],
      ['GET', `${ds}/facet?column=${CANARY}_col`],
      [
        'POST',
        `${ds}/steps`,
        { step: { op: 'replace', columns: [`${CANARY}_col`], find: `${CANARY}_cell`, with: 'x' } },
      ],
      ['POST', `${ds}/steps`, { step: { op: 'trim', columns: [`${CANARY}_missing`] } }],
      ['GET', `${ds}/export?format=csv`],
      ['GET', `/api/datasets/${CANARY}/rows`],
    ] as const) {
      const res = await h.t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBeGreaterThanOrEqual(200);
    }
    await h.close();
    h = undefined;
    audit.close();
    const bytes = Buffer.concat(fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f)))).toString(
      'latin1',
    );
    expect(bytes).toContain('POST /api/datasets/:id/steps');
    for (const secret of [
      CANARY,
      CANARY.toLowerCase(),
      'Jane_Doe',
      loginToken,
      login.cookies[0]!.value,
      csrf,
    ])
      expect(bytes.includes(secret), secret).toBe(false);
  });

  it('GET /api/audit: the caller’s own events, newest first, in pages; in the OpenAPI document', async () => {
    h = await harness();
    const { headers } = await h.login();
    const a = (await upload(h, headers, 'a.csv', 'x\n1\n')).json().id as string;
    await h.t.app.inject({ url: `/api/datasets/${a}/rows`, headers });
    // Someone else's event (multi-user mode) must not show.
    h.t.audit.append({
      actor: 'alice',
      actorKind: 'user',
      action: 'upload',
      target: OTHER_ID,
      result: 'ok',
      status: 201,
    });
    const first = await h.t.app.inject({ url: '/api/audit?limit=2', headers });
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.events.map((e: { action: string }) => e.action)).toEqual(['view', 'upload']);
    expect(page1.events[0]).toEqual({
      seq: expect.any(Number),
      time: expect.any(String),
      actor: 'local',
      actorKind: 'user',
      action: 'view',
      target: a,
      result: 'ok',
      status: 200,
      route: 'GET /api/datasets/:id/rows',
      subject: null,
    });
    const page2 = (await h.t.app.inject({ url: `/api/audit?limit=2&before=${page1.next}`, headers })).json();
    // The first page's own read of the log, then the login.
    expect(page2.events.map((e: { action: string }) => e.action)).toEqual(['login']);
    expect(page2.next).toBeNull();
    const all = (await h.t.app.inject({ url: '/api/audit', headers })).json().events as {
      actor: string;
      seq: number;
    }[];
    expect(all.map((e) => e.actor)).not.toContain('alice');
    expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((x, y) => y - x));
    expect((await h.t.app.inject({ url: '/api/audit?limit=501', headers })).statusCode).toBe(400);
    expect((await h.t.app.inject({ url: '/api/audit' })).statusCode).toBe(401);
    const doc = (await h.t.app.inject({ url: '/api/openapi.json' })).json();
    expect(doc.paths['/api/audit'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      'before',
      'limit',
    ]);
  });

  it('with local accounts: names who signed in, never what a failed sign-in typed, and shows each user their own', async () => {
    const l = await localHarness([
      { name: 'alice', password: 'alice-password-1' },
      { name: 'bob', password: 'bob-password-1' },
    ]);
    try {
      expect((await l.tryLogin('alice', 'a-wrong-password')).statusCode).toBe(401);
      // A password typed into the name field must not end up in the log.
      expect((await l.tryLogin('alice-password-1', 'alice')).statusCode).toBe(401);
      const alice = await l.signIn('Alice', 'alice-password-1');
      const bob = await l.signIn('bob', 'bob-password-1');
      const id = (await upload(l, alice.headers, 'a.csv', 'x\n1\n')).json().id as string;
      expect(
        (await l.t.app.inject({ url: `/api/datasets/${id}/rows`, headers: bob.headers })).statusCode,
      ).toBe(404);
      expect(trail(l.t.audit)).toEqual([
        ['system', 'server_start', null, 'ok', null],
        ['anonymous', 'login_failed', null, 'denied', 401],
        ['anonymous', 'login_failed', null, 'denied', 401],
        ['alice', 'login', null, 'ok', 200],
        ['bob', 'login', null, 'ok', 200],
        ['alice', 'upload', id, 'ok', 201],
        ['bob', 'access_denied', id, 'denied', 404],
      ]);
      expect(JSON.stringify(l.t.audit.list({ limit: 100 }))).not.toMatch(/password/);
      const bobs = (await l.t.app.inject({ url: '/api/audit', headers: bob.headers })).json();
      expect(bobs.events.map((e: { action: string }) => e.action)).toEqual(['access_denied', 'login']);
      const alices = (await l.t.app.inject({ url: '/api/audit', headers: alice.headers })).json();
      // Her own events, and bob's refused attempt on her dataset: an owner sees who tried.
      expect(alices.events.map((e: { action: string; actor: string }) => [e.actor, e.action])).toEqual([
        ['bob', 'access_denied'],
        ['alice', 'upload'],
        ['alice', 'login'],
      ]);
    } finally {
      await l.close();
    }
  });

  it('names an action for every dataset, auth and audit route the app has, in either sign-in mode', async () => {
    h = await harness();
    const local = await localHarness();
    const routes = [...h.t.routes, ...local.t.routes];
    await local.close();
    const audited = routes
      .filter((r) => /^\/(api\/datasets|api\/auth\/|auth\/|api\/audit)/.test(r.url))
      .map((r) => `${r.method} ${r.url}`);
    expect(audited).toContain('POST /api/auth/login');
    expect(audited).toContain('GET /auth/token');
    const unnamed = audited.filter((k) => AUDITED_ROUTES[k] === undefined && !UNAUDITED_ROUTES.has(k));
    expect(unnamed, 'add these to AUDITED_ROUTES (or UNAUDITED_ROUTES) in audit/actions.ts').toEqual([]);
  });
});

describe('when the audit log cannot be written', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('logs an error without the record, refuses audited requests until it can, then records the gap', async () => {
    const secretKey = randomBytes(32);
    const audit = AuditLog.memory(secretKey);
    let broken = false;
    const append = audit.append.bind(audit);
    audit.append = (e) => {
      if (broken) throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
      return append(e);
    };
    h = await harness({ secretKey, audit });
    const { headers } = await h.login();
    const id = (await upload(h, headers, 'a.csv', 'x\n1\n')).json().id as string;
    const rows = () => h!.t.app.inject({ url: `/api/datasets/${id}/rows`, headers });

    broken = true;
    // Records are written once the answer is out: this one is answered, and its record lost.
    expect((await rows()).statusCode).toBe(200);
    const line = h
      .logs()
      .split('\n')
      .find((l) => l.includes('"audit.write"'))!;
    expect(JSON.parse(line)).toMatchObject({ level: 50, op: 'audit.write', code: 'SQLITE_IOERR', lost: 1 });
    expect(line).not.toContain(id);
    expect(line).not.toContain('/rows');
    // Now audited requests are refused…
    const refused = await rows();
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error.code).toBe('AUDIT_UNAVAILABLE');
    expect((await h.t.app.inject({ url: '/api/datasets', headers })).statusCode).toBe(503);
    // …but not what ends a session or deletes data, nor what is not audited.
    expect((await h.t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const other = (await upload(h, headers, 'b.csv', 'x\n1\n')).statusCode;
    expect(other).toBe(503);

    broken = false;
    expect((await rows()).statusCode).toBe(200);
    const recent = audit.list({ limit: 3 }).reverse();
    // The gap counts the lost record and the three refusals, which could not be recorded either.
    expect(recent.map((r) => [r.action, r.target])).toEqual([
      ['upload', id],
      ['audit_gap', '4'],
      ['view', id],
    ]);
    expect(audit.verify().ok).toBe(true);
    expect((await h.t.app.inject({ method: 'DELETE', url: `/api/datasets/${id}`, headers })).statusCode).toBe(
      204,
    );
  });

  it('lets logout and delete through while it is broken', async () => {
    const secretKey = randomBytes(32);
    const audit = AuditLog.memory(secretKey);
    const append = audit.append.bind(audit);
    let broken = false;
    audit.append = (e) => {
      if (broken) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return append(e);
    };
    h = await harness({ secretKey, audit });
    const { headers } = await h.login();
    const id = (await upload(h, headers, 'a.csv', 'x\n1\n')).json().id as string;
    broken = true;
    expect((await h.t.app.inject({ url: `/api/datasets/${id}`, headers })).statusCode).toBe(200);
    expect((await h.t.app.inject({ url: `/api/datasets/${id}`, headers })).statusCode).toBe(503);
    expect((await h.t.app.inject({ method: 'DELETE', url: `/api/datasets/${id}`, headers })).statusCode).toBe(
      204,
    );
    expect(h.t.store.size).toBe(0);
    expect((await h.t.app.inject({ method: 'POST', url: '/api/auth/logout', headers })).statusCode).toBe(204);
  });
});

describe('who signed in, from the sign-in route’s own answer', () => {
  it('takes the user name of a successful sign-in, and never the attempted name of a failed one', async () => {
    const chunks: string[] = [];
    const logger = new Writable({
      write(c, _e, cb) {
        chunks.push(String(c));
        cb();
      },
    });
    const app = Fastify({ logger: { stream: logger } });
    const log = AuditLog.memory(randomBytes(32));
    registerAuditHooks(app, new AuditRecorder(log, app.log));
    app.post('/api/auth/login', async (request, reply) => {
      const { username, password } = request.body as { username: string; password: string };
      if (password !== 'right') return reply.code(401).send({ error: { code: 'LOGIN_FAILED' } });
      return { user: username.toLowerCase(), role: 'member' };
    });
    await app.ready();
    const post = (username: string, password: string) =>
      app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
    expect((await post('Alice', 'right')).statusCode).toBe(200);
    expect((await post('my-password-typed-here', 'wrong')).statusCode).toBe(401);
    expect(
      log
        .list({ limit: 10 })
        .reverse()
        .map((r) => [r.actor, r.actorKind, r.action, r.result]),
    ).toEqual([
      ['alice', 'user', 'login', 'ok'],
      ['anonymous', 'anonymous', 'login_failed', 'denied'],
    ]);
    await app.close();
    log.close();
  });
});
