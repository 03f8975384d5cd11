/* global fetch */
// The server load flow (issue 3, proof e): N sessions at once, each on its own keep-alive
// connection, upload a different ~5 MB CSV carrying its own canary value, apply 5 steps, page
// rows, ask a facet and export. Driven by autocannon (one connection per session, pipelining 1,
// each connection runs the flow exactly once). Used by bench/server/load.test.ts (correctness,
// no timing assertions) and bench/server.mjs (latencies).
//
// Nothing here prints cell values, file names or tokens: reports carry counts, statuses and
// milliseconds only.
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';

/** Canary values: `canary<NN>x<16 hex>`; one per session, in every row of its file. */
export const CANARY_RE = /canary\d{2}x[0-9a-f]{16}/g;
export const newCanary = (i) => `canary${String(i).padStart(2, '0')}x${randomBytes(8).toString('hex')}`;

/** The five steps every session applies (none changes the row count or the canary column). */
export const LOAD_STEPS = [
  { op: 'collapse-whitespace', columns: ['name', 'city'] },
  { op: 'change-case', columns: ['email'], case: 'lower' },
  { op: 'to-number', columns: ['amount'], decimal: '.', thousands: ',', strip: '$', nullValues: ['N/A'] },
  { op: 'to-date', columns: ['date'], formats: ['%Y-%m-%d'] },
  { op: 'fill-null', columns: ['city'], strategy: 'value', value: 'unknown' },
];

/** Row offsets paged by each session, as fractions of its row count (1 = the last page). */
export const PAGE_AT = [0, 1, 'random'];
export const PAGE_LIMIT = 100;

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Ana', 'Bob', 'Chloé', 'Dev', 'Eun', 'Femi', 'Gus', 'Hana', 'Ivo', 'Jo'];
const LAST = ['Smith', 'Okafor', 'Müller', 'Tanaka', 'Silva', 'Novak', 'Haddad', 'Lopez'];
const CITY = ['Lisbon', 'Lagos', 'Osaka', 'Quito', 'Oslo', 'Perth', ''];
const DATES = Array.from({ length: 1500 }, (_, k) =>
  new Date(Date.UTC(2020, 0, 1) + k * 86_400_000).toISOString().slice(0, 10),
);
const WORDS = [
  'order',
  'late',
  'refund',
  'call back',
  'VIP',
  'gift',
  'wrong size',
  'ok',
  'see ticket',
  'n/a',
];

/**
 * A CSV of about `bytes` bytes for session `i`: id,name,email,amount,date,city,notes,tag with
 * messy whitespace, mixed-case e-mail, `$1,234.50`/`N/A` amounts, blank cities, free-text notes
 * (rows of ~150 bytes, like W1's), and the session's canary in the tag column of every row.
 * Returns the bytes and the row count.
 */
export function sessionCsv(i, canary, bytes = 5 * 2 ** 20) {
  const r = prng(0x5eed + i * 7919);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const buf = Buffer.allocUnsafe(bytes + 4096);
  let size = buf.write('id,name,email,amount,date,city,notes,tag\n');
  let rows = 0;
  while (size < bytes) {
    rows++;
    const f = pick(FIRST);
    const l = pick(LAST);
    const cents = Math.floor(r() * 10_000_000);
    const units = Math.floor(cents / 100);
    const amount =
      r() < 0.03
        ? 'N/A'
        : `"$${units >= 1000 ? `${Math.floor(units / 1000)},${String(units % 1000).padStart(3, '0')}` : units}.${String(cents % 100).padStart(2, '0')}"`;
    const notes = `"${pick(WORDS)}, ${pick(WORDS)}; ${pick(WORDS)} (${Math.floor(r() * 1e9)}) ${pick(WORDS)}"`;
    const line = `${rows},"  ${f}   ${l} ",${f}.${l}${rows % 97}@Example.COM,${amount},${pick(DATES)},${pick(CITY)},${notes},${canary}\n`;
    size += buf.write(line, size);
  }
  return { csv: buf.subarray(0, size), rows };
}

/** A multipart/form-data body with one part named "file". */
export function multipart(filename, content) {
  const boundary = `----tidyvaultload${randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Exchange a one-time login token for a session over HTTP, as a browser would:
 * GET /auth/token → cookie; GET /api/auth/me → CSRF token.
 */
export async function login(baseUrl, token) {
  const res = await fetch(`${baseUrl}/auth/token?token=${encodeURIComponent(token)}`, { redirect: 'manual' });
  const set = res.headers.getSetCookie().find((c) => /tidyvault-sid=/.test(c));
  if (res.status !== 303 || !set) throw new Error(`login failed: HTTP ${res.status}`);
  const cookie = set.split(';', 1)[0];
  const me = await fetch(`${baseUrl}/api/auth/me`, { headers: { cookie } });
  if (me.status !== 200) throw new Error(`GET /api/auth/me: HTTP ${me.status}`);
  const { csrfToken, csrfHeader } = await me.json();
  return { cookie, csrf: csrfToken, csrfHeader };
}

/** Canary problems in one response body: foreign canaries, and how often the own one occurs. */
export function canariesIn(body, own) {
  let mine = 0;
  const foreign = new Set();
  for (const m of body.matchAll(CANARY_RE)) {
    if (m[0] === own) mine++;
    else foreign.add(m[0]);
  }
  return { mine, foreign: foreign.size };
}

export const percentile = (xs, p) => {
  const v = [...xs].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
};

/** The requests of one session's flow, in order; each has a `kind` for per-kind latencies. */
function flow({ sessions, files, origin, next }) {
  const auth = (ctx, extra = {}) => ({
    cookie: sessions[ctx.i].cookie,
    [sessions[ctx.i].csrfHeader ?? 'x-tidyvault-csrf']: sessions[ctx.i].csrf,
    origin,
    'sec-fetch-site': 'same-origin',
    ...extra,
  });
  const id = (ctx) => ctx.id ?? 'upload-failed';
  const reqs = [
    {
      kind: 'upload',
      method: 'POST',
      path: '/api/datasets',
      setupRequest: (req, ctx) => {
        // Built once per connection when autocannon creates it: that is where a connection
        // becomes session `i`.
        if (ctx.i === undefined) ctx.i = next();
        const { body, contentType } = files[ctx.i];
        return { ...req, body, headers: auth(ctx, { 'content-type': contentType }) };
      },
      onResponse: (status, body, ctx) => {
        if (status === 201) {
          const j = JSON.parse(body);
          ctx.id = j.id;
          ctx.rows = j.rows;
        }
      },
    },
    ...LOAD_STEPS.map((step) => ({
      kind: 'step',
      method: 'POST',
      setupRequest: (req, ctx) => ({
        ...req,
        path: `/api/datasets/${id(ctx)}/steps`,
        body: JSON.stringify({ step }),
        headers: auth(ctx, { 'content-type': 'application/json' }),
      }),
    })),
    ...PAGE_AT.map((at) => ({
      kind: 'rows',
      method: 'GET',
      setupRequest: (req, ctx) => {
        const rows = ctx.rows ?? 0;
        const last = Math.max(0, rows - PAGE_LIMIT);
        const offset = at === 'random' ? Math.floor(Math.random() * last) : Math.round(at * last);
        return {
          ...req,
          path: `/api/datasets/${id(ctx)}/rows?offset=${offset}&limit=${PAGE_LIMIT}`,
          headers: auth(ctx),
        };
      },
    })),
    {
      kind: 'facet',
      method: 'GET',
      setupRequest: (req, ctx) => ({
        ...req,
        path: `/api/datasets/${id(ctx)}/facet?column=tag&limit=10`,
        headers: auth(ctx),
      }),
    },
    {
      kind: 'export',
      method: 'GET',
      setupRequest: (req, ctx) => ({
        ...req,
        path: `/api/datasets/${id(ctx)}/export?format=csv`,
        headers: auth(ctx),
      }),
    },
  ];
  return reqs;
}

/**
 * Run the flow for every session at once against `baseUrl`.
 * sessions[i] = {cookie, csrf}; canaries[i] is session i's canary and files[i] its CSV bytes.
 * Resolves with autocannon's result, per-kind latencies (ms), per-session checks and a list of
 * problems (empty when every response was 2xx, complete and carried only its own canary).
 */
export async function runLoad({ baseUrl, sessions, canaries, csvs, timeoutS = 300 }) {
  const n = sessions.length;
  const files = csvs.map((c, i) => multipart(`session-${i}.csv`, c.csv));
  let assigned = 0;
  const next = () => {
    if (assigned >= n) throw new Error('more connections than sessions');
    return assigned++;
  };
  const requests = flow({ sessions, files, origin: baseUrl, next });
  const per = canaries.map(() => ({ responses: [], problems: [] }));
  const latencies = {};
  const all = [];
  // Wrap every request's onResponse with the checks (status, canaries, completeness).
  const checked = requests.map((r, k) => ({
    ...r,
    onResponse: (status, body, ctx) => {
      r.onResponse?.(status, body, ctx);
      const s = per[ctx.i];
      const own = canaries[ctx.i];
      s.responses.push({ k, kind: r.kind, status });
      if (status < 200 || status > 299) {
        s.problems.push(`${r.kind} #${k}: HTTP ${status}`);
        return;
      }
      const c = canariesIn(body, own);
      if (c.foreign > 0) s.problems.push(`${r.kind} #${k}: ${c.foreign} other session's canary value(s)`);
      const rows = ctx.rows ?? NaN;
      if (r.kind === 'rows') {
        const j = JSON.parse(body);
        if (j.total !== rows) s.problems.push(`rows #${k}: total ${j.total}, uploaded ${rows}`);
        if (j.rows.length === 0 || c.mine !== j.rows.length)
          s.problems.push(`rows #${k}: own canary in ${c.mine} of ${j.rows.length} rows`);
      } else if (r.kind === 'facet') {
        const j = JSON.parse(body);
        if (j.values.length !== 1 || j.values[0].value !== own || j.values[0].count !== rows)
          s.problems.push(`facet: expected one value (own canary) × ${rows}`);
      } else if (r.kind === 'export') {
        if (c.mine !== rows) s.problems.push(`export: own canary in ${c.mine} rows of ${rows}`);
      }
    },
  }));

  const started = performance.now();
  const instance = autocannon({
    url: baseUrl,
    connections: n,
    pipelining: 1,
    amount: n * requests.length,
    timeout: timeoutS,
    requests: checked,
  });
  instance.on('response', (client, statusCode, _bytes, ms) => {
    const kind = client.requestIterator.currentRequest.kind;
    (latencies[kind] ??= []).push(ms);
    all.push(ms);
  });
  const result = await instance;
  const wallS = (performance.now() - started) / 1000;

  const problems = [];
  if (result.errors) problems.push(`${result.errors} connection errors (${result.timeouts} timeouts)`);
  if (result.non2xx) problems.push(`${result.non2xx} non-2xx responses`);
  if (result.mismatches) problems.push(`${result.mismatches} mismatches`);
  if (assigned !== n) problems.push(`${assigned} of ${n} sessions started`);
  per.forEach((s, i) => {
    if (s.responses.length !== requests.length)
      problems.push(`session ${i}: ${s.responses.length} of ${requests.length} responses`);
    const order = s.responses.map((x) => x.k).join(',');
    if (order !== requests.map((_, k) => k).join(',')) problems.push(`session ${i}: responses out of order`);
    for (const p of s.problems) problems.push(`session ${i}: ${p}`);
  });

  const summary = (xs) => ({
    n: xs.length,
    p50: percentile(xs, 50),
    p95: percentile(xs, 95),
    max: percentile(xs, 100),
  });
  return {
    sessions: n,
    requestsPerSession: requests.length,
    wallS,
    autocannon: {
      requests: result.requests?.total,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      latencyP50: result.latency?.p50,
      latencyP97_5: result.latency?.p97_5,
      latencyMax: result.latency?.max,
      statusCodes: result.statusCodeStats,
    },
    latency: summary(all),
    byKind: Object.fromEntries(Object.entries(latencies).map(([k, xs]) => [k, summary(xs)])),
    problems,
  };
}
