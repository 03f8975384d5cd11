/* global fetch */
// Issue 7 item 7: the server load test with N distinct signed-in users (local accounts). Each user
// uploads their own CSV carrying their own canary value, then all of them at once hammer grid
// pages, facets, the profile and a step, and each also asks for a neighbour's dataset (which must
// be the 404 of an unknown id). Every response is checked: 2xx where it should be, and each
// user's canary only ever in that user's own responses. Used by bench/server/users-load.test.ts
// (correctness, no timing assertions) and bench/server-users.mjs (bigger files, more rounds).
//
// Nothing here prints cell values, file names, passwords or tokens: counts, statuses and
// milliseconds only.
import { canariesIn, multipart, percentile, sessionCsv } from './load.mjs';

export { CANARY_RE, newCanary, sessionCsv } from './load.mjs';

/** Sign in as a local account over HTTP, as the web app does: POST /api/auth/login. */
export async function signIn(baseUrl, username, password) {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl, 'sec-fetch-site': 'same-origin' },
    body: JSON.stringify({ username, password }),
  });
  const set = res.headers.getSetCookie().find((c) => /tidyvault-sid=/.test(c));
  if (res.status !== 200 || !set) throw new Error(`sign-in failed: HTTP ${res.status}`);
  const { csrfToken, csrfHeader } = await res.json();
  return { cookie: set.split(';', 1)[0], csrf: csrfToken, csrfHeader };
}

/**
 * Run the multi-user flow against `baseUrl`. users[i] = {name, cookie, csrf, csrfHeader};
 * canaries[i] and csvs[i] ({csv, rows}) are user i's. `rounds`: how many times each user repeats
 * the read mix (pages at the start, end and a random offset, two facets, the profile).
 * Resolves with per-kind latencies (ms), request counts and the problems found (empty = pass).
 */
export async function runUsersLoad({ baseUrl, users, canaries, csvs, rounds = 3 }) {
  const n = users.length;
  // Node's fetch keeps connections alive and opens as many as there are requests in flight.
  const problems = [];
  const latencies = {};
  let requests = 0;
  let expectedNotFound = 0;

  const call = async (i, kind, method, path, { body, headers = {}, expect = [200] } = {}) => {
    const u = users[i];
    const started = performance.now();
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        cookie: u.cookie,
        origin: baseUrl,
        'sec-fetch-site': 'same-origin',
        ...(method === 'GET' ? {} : { [u.csrfHeader ?? 'x-tidyvault-csrf']: u.csrf }),
        ...headers,
      },
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    (latencies[kind] ??= []).push(performance.now() - started);
    requests++;
    if (!expect.includes(res.status)) problems.push(`user ${i}: ${kind} HTTP ${res.status}`);
    const c = canariesIn(text, canaries[i]);
    if (c.foreign > 0) problems.push(`user ${i}: ${kind} carried ${c.foreign} other user's canary value(s)`);
    return { status: res.status, text, own: c.mine };
  };

  // 1. Every user uploads at once.
  const ids = new Array(n);
  await Promise.all(
    users.map(async (_, i) => {
      const { body, contentType } = multipart(`user-${i}.csv`, csvs[i].csv);
      const r = await call(i, 'upload', 'POST', '/api/datasets', {
        body,
        headers: { 'content-type': contentType },
        expect: [201],
      });
      if (r.status === 201) ids[i] = JSON.parse(r.text).id;
    }),
  );
  if (ids.some((id) => id === undefined)) problems.push('not every upload made a dataset');

  // 2. Everyone reads at once; a step in the middle; a neighbour's id is a 404.
  const json = { 'content-type': 'application/json' };
  await Promise.all(
    users.map(async (_, i) => {
      const id = ids[i];
      if (id === undefined) return;
      const rows = csvs[i].rows;
      const last = Math.max(0, rows - 100);
      for (let round = 0; round < rounds; round++) {
        for (const offset of [0, last, Math.floor(Math.random() * last)]) {
          const r = await call(i, 'rows', 'GET', `/api/datasets/${id}/rows?offset=${offset}&limit=100`);
          if (r.status === 200) {
            const page = JSON.parse(r.text);
            if (page.total !== rows) problems.push(`user ${i}: rows total ${page.total}, uploaded ${rows}`);
            if (page.rows.length === 0 || r.own !== page.rows.length)
              problems.push(`user ${i}: own canary in ${r.own} of ${page.rows.length} rows`);
          }
        }
        const tag = await call(i, 'facet', 'GET', `/api/datasets/${id}/facet?column=tag&limit=10`);
        if (tag.status === 200) {
          const f = JSON.parse(tag.text);
          if (f.values.length !== 1 || f.values[0].value !== canaries[i] || f.values[0].count !== rows)
            problems.push(`user ${i}: tag facet is not one value (own canary) × ${rows}`);
        }
        await call(i, 'facet', 'GET', `/api/datasets/${id}/facet?column=city&limit=10`);
        const profile = await call(i, 'profile', 'GET', `/api/datasets/${id}/profile`);
        if (profile.status === 200 && profile.own === 0)
          problems.push(`user ${i}: profile without own canary`);
        if (round === 0)
          await call(i, 'step', 'POST', `/api/datasets/${id}/steps`, {
            body: JSON.stringify({ step: { op: 'collapse-whitespace', columns: ['name', 'city'] } }),
            headers: json,
          });
        // Someone else's dataset: the 404 of an unknown id, with nothing of theirs in it.
        const other = ids[(i + 1 + round) % n];
        if (other !== undefined && other !== id) {
          const probe = await call(i, 'probe', 'GET', `/api/datasets/${other}/rows?limit=100`, {
            expect: [404],
          });
          expectedNotFound++;
          if (probe.status === 404 && JSON.parse(probe.text).error?.code !== 'NOT_FOUND')
            problems.push(`user ${i}: probe answered ${probe.text.slice(0, 80)}`);
        }
      }
      // The list: their own dataset only.
      const list = await call(i, 'list', 'GET', '/api/datasets');
      if (list.status === 200) {
        const got = JSON.parse(list.text).datasets.map((d) => d.id);
        if (got.length !== 1 || got[0] !== id) problems.push(`user ${i}: lists ${got.length} datasets`);
      }
    }),
  );

  const summary = (xs) => ({
    n: xs.length,
    p50: percentile(xs, 50),
    p95: percentile(xs, 95),
    max: percentile(xs, 100),
  });
  const all = Object.values(latencies).flat();
  return {
    users: n,
    requests,
    expectedNotFound,
    ids,
    latency: summary(all),
    byKind: Object.fromEntries(Object.entries(latencies).map(([k, xs]) => [k, summary(xs)])),
    problems,
  };
}

/** N users' canaries and CSVs of about `bytes` each. */
export function userFiles(canaries, bytes) {
  return canaries.map((c, i) => sessionCsv(i, c, bytes));
}
