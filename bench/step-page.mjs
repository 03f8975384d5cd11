#!/usr/bin/env node
// What a user waits for after adding a step on the server: the POST of the step, then the first
// grid page of the new recipe, for a trim, a replace, a merge-columns, a cluster-merge and a
// dedupe-rows on the 1M-row W1 file.
// In-process (a real app over a real DuckDB, opened with serve's defaults: every core, half the
// RAM), so it measures the server's own work, not HTTP. Each step is undone after its page (the undo's
// page comes from the state kept before it).
//
// Usage: node bench/step-page.mjs [--rows 1000000] [--rounds 3]   (after `npx tsc -b packages/server`)
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ensureData } from './lib/env.mjs';
import { median } from './lib/measure.mjs';
import { NodeEngine } from '@tidyvault/engine-node';
import { buildApp } from '../packages/server/dist/app.js';
import { cookieName } from '../packages/server/dist/security/access.js';
import { multipart } from '../packages/server/dist/test-support.js';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '3' } },
});
const file = ensureData(Number(values.rows));
const engine = await NodeEngine.open();
const h = {
  t: await buildApp({
    engine,
    secretKey: randomBytes(32),
    apiRequestsPerMinute: 0,
    logLevel: 'silent',
    webRoot: false,
  }),
};
try {
  const name = cookieName(false);
  const link = await h.t.app.inject({ method: 'GET', url: `/auth/token?token=${h.t.issueLoginToken()}` });
  const cookie = `${name}=${link.cookies.find((c) => c.name === name).value}`;
  const me = await h.t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
  const headers = { cookie, 'x-tidyvault-csrf': me.json().csrfToken };
  const body = multipart('w1.csv', fs.readFileSync(file));
  const up = await h.t.app.inject({
    method: 'POST',
    url: '/api/datasets',
    headers: { ...headers, 'content-type': body.contentType },
    payload: body.payload,
  });
  if (up.statusCode !== 201) throw new Error(`upload: ${up.statusCode} ${up.body}`);
  const id = up.json().id;
  const timed = async (method, url, payload) => {
    const t = performance.now();
    const r = await h.t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    if (r.statusCode !== 200) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
    return performance.now() - t;
  };
  const page = () => timed('GET', `/api/datasets/${id}/rows?offset=0&limit=100`);
  const steps = {
    trim: { op: 'trim', columns: ['name'] },
    replace: { op: 'replace', columns: ['name'], find: 'a', replace: 'aa' },
    'merge-columns': { op: 'merge-columns', columns: ['city', 'state'], separator: ', ', into: 'place' },
    'cluster-merge': { op: 'cluster-merge', column: 'name', method: 'fingerprint' },
    'dedupe-rows': { op: 'dedupe-rows' },
  };
  const times = Object.fromEntries(Object.keys(steps).map((k) => [k, { post: [], page: [] }]));
  await page();
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const [name, step] of Object.entries(steps)) {
      times[name].post.push(await timed('POST', `/api/datasets/${id}/steps`, { step }));
      times[name].page.push(await page());
      await timed('POST', `/api/datasets/${id}/undo`);
      await page();
    }
  }
  const ms = (xs) => `${Math.round(median(xs))} ms (${xs.map((x) => Math.round(x)).join(', ')})`;
  console.log(`| step | POST …/steps, median (runs) | first page after it, median (runs) |`);
  console.log(`|---|---|---|`);
  for (const [name, t] of Object.entries(times)) console.log(`| ${name} | ${ms(t.post)} | ${ms(t.page)} |`);
} finally {
  await h.t.app.close();
  await engine.close();
}
