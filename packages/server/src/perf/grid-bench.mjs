#!/usr/bin/env node
/* global fetch, FormData */
// Grid page, facet and profile latency over HTTP on a big CSV, with recipe-state caching on or off.
// Usage: node packages/server/src/perf/grid-bench.mjs <file.csv> [--no-cache] [--steps N] [--rows N]
//        [--facets N] [--profiles N] [--threads N] [--memory-limit 8GB]
// Needs a build (npx tsc -b packages/cli). Prints one JSON line per measurement and a summary.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { NodeEngine } from '@tidyvault/engine-node';
import { buildApp, listen } from '@tidyvault/server';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'no-cache': { type: 'boolean' },
    threads: { type: 'string', default: '2' },
    'memory-limit': { type: 'string', default: '8GB' },
    rows: { type: 'string', default: '30' },
    facets: { type: 'string', default: '20' },
    profiles: { type: 'string', default: '5' },
    /** Stop after this many recipe steps (the uncached run is slow). */
    steps: { type: 'string' },
  },
});
const file = positionals[0];
if (!file) throw new Error('usage: grid-bench.mjs <file.csv> [--no-cache]');
const cache = !values['no-cache'];
const recipe = JSON.parse(
  fs.readFileSync(new URL('../../../../fixtures/w1/recipe.json', import.meta.url), 'utf8'),
);

const engine = await NodeEngine.open({
  memoryLimit: values['memory-limit'],
  threads: Number(values.threads),
});
const t = await buildApp({
  engine,
  secretKey: randomBytes(32),
  logLevel: 'error',
  cacheRecipeStates: cache,
  maxResidentBytes: 16 * 2 ** 30,
});
const { url } = await listen(t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false });
const login = await fetch(`${url}/auth/token?token=${t.issueLoginToken()}`, { redirect: 'manual' });
const cookie = login.headers.get('set-cookie').split(';')[0];
const me = await (await fetch(`${url}/api/auth/me`, { headers: { cookie } })).json();
const headers = { cookie, 'x-tidyvault-csrf': me.csrfToken, origin: url };

const timed = async (f) => {
  const s = performance.now();
  const r = await f();
  return { ms: performance.now() - s, r };
};
const must = async (res) => {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.json();
};

const form = new FormData();
form.set('file', await fs.openAsBlob(file), 'w1.csv');
const up = await timed(async () =>
  must(await fetch(`${url}/api/datasets`, { method: 'POST', headers, body: form })),
);
const id = up.r.id;
const total0 = up.r.rows;
console.log(JSON.stringify({ cache, op: 'upload', rows: total0, ms: Math.round(up.ms) }));

const get = (path) => fetch(`${url}/api/datasets/${id}${path}`, { headers }).then(must);
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] * 10) / 10;
};
let seed = 1;
const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;

async function measure(label) {
  const first = await timed(() => get('/rows?offset=0&limit=100'));
  const total = first.r.total;
  const rows = [];
  for (let i = 0; i < Number(values.rows); i++) {
    const offset = Math.floor(rand() * Math.max(1, total - 100));
    rows.push((await timed(() => get(`/rows?offset=${offset}&limit=100`))).ms);
  }
  const facets = [];
  for (let i = 0; i < Number(values.facets); i++) {
    const column = ['city', 'category', 'status', 'state'][i % 4];
    facets.push((await timed(() => get(`/facet?column=${column}&limit=${50 + (i % 5)}`))).ms);
  }
  const profiles = [];
  for (let i = 0; i < Number(values.profiles); i++) profiles.push((await timed(() => get('/profile'))).ms);
  const out = {
    cache,
    state: label,
    total,
    firstPageMs: Math.round(first.ms),
    rows: { n: rows.length, p50: pct(rows, 50), p95: pct(rows, 95) },
    facet: { n: facets.length, p50: pct(facets, 50), p95: pct(facets, 95) },
    profile: { n: profiles.length, p50: pct(profiles, 50), p95: pct(profiles, 95) },
  };
  console.log(JSON.stringify(out));
  return out;
}

await measure('0 steps');
const lastStep = Math.min(recipe.steps.length, Number(values.steps ?? recipe.steps.length));
const checkpoints = new Set([3, lastStep]);
for (let n = 1; n <= lastStep; n++) {
  const step = await timed(async () =>
    must(
      await fetch(`${url}/api/datasets/${id}/steps`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ step: recipe.steps[n - 1] }),
      }),
    ),
  );
  const page = await timed(() => get('/rows?offset=0&limit=100'));
  console.log(
    JSON.stringify({
      cache,
      op: `append step ${n} (${recipe.steps[n - 1].op}) + first page`,
      stepMs: Math.round(step.ms),
      firstPageMs: Math.round(page.ms),
    }),
  );
  if (checkpoints.has(n)) await measure(`${n} steps`);
}
const loc = await get('/location');
console.log(
  JSON.stringify({
    cache,
    op: 'location',
    approxBytes: loc.approxBytes,
    bytes: loc.bytes,
    states: loc.recipeStates,
  }),
);
await t.app.close();
await engine.close();
