import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localHarness, type LocalHarness, type SignedIn } from '../auth/test-local.js';
import { upload } from '../test-support.js';

const ADA = { name: 'ada', password: 'ada has a long password', role: 'admin' as const };
const CAROL = { name: 'carol', password: 'carol has a long password' };
const DAN = { name: 'dan', password: 'dan has a long password too' };

describe('whose audit events GET /api/audit gives', () => {
  let h: LocalHarness;
  beforeAll(async () => {
    h = await localHarness([ADA, CAROL, DAN]);
    await h.t.app.ready();
  });
  afterAll(() => h.close());

  const actors = async (s: SignedIn) => {
    const res = await h.t.app.inject({ method: 'GET', url: '/api/audit?limit=500', headers: s.headers });
    expect(res.statusCode, res.body).toBe(200);
    return new Set((res.json().events as { actor: string }[]).map((e) => e.actor));
  };

  it("an administrator reads everyone's; a member their own", async () => {
    const ada = await h.signIn('ada', ADA.password);
    const carol = await h.signIn('carol', CAROL.password);
    const dan = await h.signIn('dan', DAN.password);
    expect((await upload(h, carol.headers, 'c.csv', 'a\n1\n')).statusCode).toBe(201);
    expect((await upload(h, dan.headers, 'd.csv', 'a\n2\n')).statusCode).toBe(201);
    const all = await actors(ada);
    expect(all.has('carol') && all.has('dan') && all.has('ada')).toBe(true);
    expect([...(await actors(carol))].filter((a) => a !== 'system')).toEqual(['carol']);
    expect([...(await actors(dan))].filter((a) => a !== 'system')).toEqual(['dan']);
  });
});
