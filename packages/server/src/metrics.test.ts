import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localHarness, type LocalHarness, type SignedIn } from './auth/test-local.js';
import { upload } from './test-support.js';

const ROOT = { name: 'root', password: 'root password here', role: 'admin' as const };
const ALICE = { name: 'alice', password: 'alice password here' };
const CANARY = 'CANARY-metrics-7f3a';

/** The value of a sample line (`name{labels} value`), 0 when absent. */
const sample = (text: string, line: string) => {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
};

describe('GET /api/metrics (SECURITY-CONTROLS 44)', () => {
  let h: LocalHarness;
  let root: SignedIn;
  let alice: SignedIn;
  beforeAll(async () => {
    h = await localHarness([ROOT, ALICE]);
    root = await h.signIn('root', ROOT.password);
    alice = await h.signIn('alice', ALICE.password);
  });
  afterAll(() => h.close());

  const metrics = (who?: SignedIn) =>
    h.t.app.inject({ method: 'GET', url: '/api/metrics', headers: who ? who.headers : {} });

  it('counts refused sign-ins and answers by status, naming no user, dataset or value', async () => {
    const before = (await metrics(root)).body;
    for (let i = 0; i < 3; i++)
      expect((await h.tryLogin('alice', 'wrong password here')).statusCode).toBe(401);
    expect((await h.tryLogin('nobody-at-all', 'wrong password here')).statusCode).toBe(401);
    const up = await upload(h, alice.headers, `${CANARY}.csv`, `name\n${CANARY}\n`);
    expect(up.statusCode, up.body).toBe(201);
    const res = await metrics(root);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers['cache-control']).toBe('no-store');
    const after = res.body;
    expect(sample(after, 'tidyvault_auth_failed_total') - sample(before, 'tidyvault_auth_failed_total')).toBe(
      4,
    );
    const login401 = 'tidyvault_http_responses_total{route="/api/auth/login",status="401"}';
    expect(sample(after, login401) - sample(before, login401)).toBe(4);
    expect(sample(after, 'tidyvault_http_responses_total{route="/api/datasets",status="201"}')).toBe(1);
    expect(sample(after, 'tidyvault_datasets')).toBe(1);
    expect(sample(after, 'tidyvault_duckdb_memory_bytes')).toBeGreaterThan(0);
    expect(sample(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    for (const secret of [CANARY, 'alice', 'nobody-at-all', up.json().id])
      expect(after).not.toContain(secret);
  });

  it('is for administrators only: 401 signed out, 403 for a member', async () => {
    expect((await metrics()).statusCode).toBe(401);
    const member = await metrics(alice);
    expect(member.statusCode).toBe(403);
    expect(member.body).not.toContain('tidyvault_');
  });
});
