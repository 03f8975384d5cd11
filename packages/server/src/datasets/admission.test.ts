import { afterEach, describe, expect, it } from 'vitest';
import { localHarness, type LocalHarness } from '../auth/test-local.js';
import { resolveOptions } from '../options.js';
import { harness, upload, type Harness } from '../test-support.js';

// This file's table takes about 560 kB in DuckDB: one fits in 1 MB, two do not.
const FILE = 'a\n' + '123456789\n'.repeat(20_000);

describe('admission control: each user’s share of the memory', () => {
  let h: LocalHarness | Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('refuses a user past their share with 507 USER_MEMORY_FULL while others still upload, and admits again after a delete', async () => {
    const l = await localHarness(
      [
        { name: 'ana', password: 'correct horse battery' },
        { name: 'ben', password: 'correct horse battery' },
      ],
      { maxUserBytes: 1_000_000, maxResidentBytes: 100_000_000 },
    );
    h = l;
    const ana = (await l.signIn('ana', 'correct horse battery')).headers;
    const ben = (await l.signIn('ben', 'correct horse battery')).headers;
    const first = await upload(l, ana, 'one.csv', FILE);
    expect(first.statusCode).toBe(201);
    const second = await upload(l, ana, 'two.csv', FILE);
    expect(second.statusCode).toBe(507);
    const error = second.json().error;
    expect(error).toMatchObject({
      code: 'USER_MEMORY_FULL',
      setting: 'max-memory-per-user',
      limit: 1_000_000,
    });
    expect(error.message).toMatch(
      /^your datasets hold [\d.]+ KiB of the 976.6 KiB one user's datasets may hold/,
    );
    expect(error.message).not.toContain('two.csv');
    expect(l.stagingFiles()).toEqual([]);
    // Another user's datasets are not counted against ana's share, nor hers against theirs.
    expect((await upload(l, ben, 'three.csv', FILE)).statusCode).toBe(201);
    expect(l.t.store.size).toBe(2);
    const del = await l.t.app.inject({
      method: 'DELETE',
      url: `/api/datasets/${first.json().id}`,
      headers: ana,
    });
    expect(del.statusCode).toBe(204);
    expect((await upload(l, ana, 'two.csv', FILE)).statusCode).toBe(201);
  });

  it('says when one dataset alone is more than a user may hold', async () => {
    const l = await localHarness([{ name: 'ana', password: 'correct horse battery' }], {
      maxUserBytes: 100_000,
      maxResidentBytes: 100_000_000,
    });
    h = l;
    const res = await upload(l, (await l.login()).headers, 'big.csv', FILE);
    expect(res.statusCode).toBe(507);
    expect(res.json().error.message).toMatch(
      /^this dataset needs about [\d.]+ KiB, more than the 97.7 KiB one user's datasets may hold on this server/,
    );
    expect(l.t.store.size).toBe(0);
  });

  it('gives each user half of the budget with accounts, and the single user all of it', async () => {
    h = await harness();
    const engine = h.engine;
    // The test engine's memory limit is 512 MB: tables may take two thirds of it.
    const budget = Math.floor((engine.memoryLimitBytes! * 2) / 3);
    expect(budget).toBeGreaterThan(300e6);
    expect(budget).toBeLessThan(400e6);
    const single = resolveOptions({ engine, secretKey: Buffer.alloc(32) });
    expect(single.maxResidentBytes).toBe(budget);
    expect(single.maxUserBytes).toBeUndefined();
    for (const auth of ['local', 'oidc'] as const) {
      const teams = resolveOptions({ engine, secretKey: Buffer.alloc(32), auth });
      expect(teams.maxUserBytes).toBe(Math.floor(budget / 2));
    }
    expect(
      resolveOptions({ engine, secretKey: Buffer.alloc(32), auth: 'local', maxUserBytes: 5 }).maxUserBytes,
    ).toBe(5);
  });
});
