import { afterEach, describe, expect, it } from 'vitest';
import { fakeClock, harness, type Harness } from '../test-support.js';
import { ApiRateLimit } from './api-rate.js';

describe('ApiRateLimit', () => {
  it('lets a minute’s worth through at once, then refuses with the wait until the next', () => {
    const clock = fakeClock();
    const rate = new ApiRateLimit(300, clock.now);
    for (let i = 0; i < 300; i++) expect(rate.take('s1').ok, `request ${i + 1}`).toBe(true);
    const refused = rate.take('s1');
    expect(refused).toEqual({ ok: false, retryAfterMs: 200, firstRefusal: true });
    expect(rate.take('s1')).toMatchObject({ ok: false, firstRefusal: false });
    // 300 a minute is one every 200 ms: the pace after the burst.
    clock.advance(200);
    expect(rate.take('s1').ok).toBe(true);
    expect(rate.take('s1').ok).toBe(false);
    clock.advance(60_000);
    for (let i = 0; i < 300; i++) expect(rate.take('s1').ok).toBe(true);
  });

  it('keeps one bucket per session', () => {
    const rate = new ApiRateLimit(2, fakeClock().now);
    expect(rate.take('a').ok).toBe(true);
    expect(rate.take('a').ok).toBe(true);
    expect(rate.take('a').ok).toBe(false);
    expect(rate.take('b').ok).toBe(true);
  });

  it('forgets buckets left alone for a minute (they are full again)', () => {
    const clock = fakeClock();
    const rate = new ApiRateLimit(5, clock.now);
    for (let i = 0; i < 999; i++) rate.take(`s${i}`);
    expect(rate.size).toBe(999);
    clock.advance(60_000);
    rate.take('late');
    expect(rate.size).toBe(1);
  });
});

describe('API request rate per session (SECURITY-CONTROLS §3: 300/min per session)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('answers 429 with Retry-After past the limit, for that session only; signing out still works', async () => {
    const clock = fakeClock(Date.now());
    h = await harness({ apiRequestsPerMinute: 5, clock: clock.now });
    const a = await h.login(); // its GET /api/auth/me is the first of five
    const list = (headers: Record<string, string>) =>
      h!.t.app.inject({ method: 'GET', url: '/api/datasets', headers });
    for (let i = 0; i < 4; i++) expect((await list(a.headers)).statusCode).toBe(200);
    const refused = await list(a.headers);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('12');
    expect(refused.json()).toEqual({
      error: {
        code: 'TOO_MANY_REQUESTS',
        message: 'this session made more than 5 requests in a minute; try again in 12 s',
      },
    });
    expect((await list(a.headers)).statusCode).toBe(429);
    // Every route counts, including the ones that change nothing.
    const me = await h.t.app.inject({ method: 'GET', url: '/api/auth/me', headers: a.headers });
    expect(me.statusCode).toBe(429);

    // Another session of the same user is not slowed by the first.
    const b = await h.login();
    expect((await list(b.headers)).statusCode).toBe(200);

    // The wait it named is enough.
    clock.advance(12_000);
    expect((await list(a.headers)).statusCode).toBe(200);
    expect((await list(a.headers)).statusCode).toBe(429);

    const out = await h.t.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { ...a.headers, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(out.statusCode).toBe(204);

    // Audited once per run of refusals (four refused requests, two runs): a client hammering
    // the API does not grow the audit log at its request rate.
    const refusals = h.t.audit.list({ limit: 1_000 }).filter((r) => r.status === 429);
    expect(refusals.map((r) => r.route)).toEqual(['GET /api/datasets', 'GET /api/datasets']);

    // Logged once per run of refusals, without the session's token.
    const lines = h
      .logs()
      .split('\n')
      .filter((l) => l.includes('"api.rate_limited"'));
    expect(lines).toHaveLength(2);
    expect(h.logs()).not.toContain(a.cookie.split('=')[1]!);
  });

  it('counts nothing with apiRequestsPerMinute 0', async () => {
    h = await harness({ apiRequestsPerMinute: 0 });
    const { headers } = await h.login();
    for (let i = 0; i < 400; i++) {
      const r = await h.t.app.inject({ method: 'GET', url: '/api/datasets', headers });
      if (r.statusCode !== 200) throw new Error(`request ${i + 1}: ${r.statusCode}`);
    }
  });

  it('is on by default at 300 a minute', async () => {
    // Time stands still: nothing refills while the requests run.
    h = await harness({ clock: fakeClock(Date.now()).now });
    const { headers } = await h.login();
    const codes: number[] = [];
    for (let i = 0; i < 300; i++)
      codes.push((await h.t.app.inject({ method: 'GET', url: '/api/datasets', headers })).statusCode);
    // The login's GET /api/auth/me took one: the 300th is the 301st request.
    expect(codes.slice(0, 299).every((c) => c === 200)).toBe(true);
    expect(codes[299]).toBe(429);
  });
});
