import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from '../listen.js';
import { harness, multipart, upload, type Harness } from '../test-support.js';
import { cleanName } from './upload.js';

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** A raw request over a real socket, so Content-Length and disconnects are what a client sends. */
function rawPost(port: number, headers: Record<string, string | number>) {
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/datasets', headers });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
  return { req, response };
}

/** A multipart upload of `content` as `name`, its body to be written by the test. */
function rawUpload(port: number, headers: Record<string, string>, name: string, content: string) {
  const { payload, contentType } = multipart(name, content);
  const r = rawPost(port, {
    ...headers,
    host: `localhost:${port}`,
    'content-type': contentType,
    'content-length': payload.length,
  });
  return { ...r, payload };
}

/** Writes `next()` every 50 ms until the answer comes, which must be the 408 of a body too slow. */
async function expectTooSlow(r: ReturnType<typeof rawUpload>, next: () => void) {
  const drip = setInterval(next, 50);
  try {
    const res = await r.response;
    expect(res.status, res.body).toBe(408);
    expect(JSON.parse(res.body).error.code).toBe('UPLOAD_TOO_SLOW');
  } finally {
    clearInterval(drip);
    r.req.destroy();
  }
}

describe('uploads', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('refuses a declared Content-Length over the limit before reading the body', async () => {
    h = await harness({ maxUploadBytes: 1000 });
    const { headers } = await h.login();
    const { port } = await listen(h.t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false });
    const { req, response } = rawPost(port, {
      ...headers,
      host: `localhost:${port}`,
      'content-type': 'multipart/form-data; boundary=x',
      'content-length': 5368709120,
    });
    req.write(Buffer.alloc(1024, 'a'));
    const res = await response;
    req.destroy();
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('UPLOAD_TOO_LARGE');
    expect(h.stagingFiles()).toEqual([]);
    expect(h.t.store.size).toBe(0);
  });

  it('stops a body that grows past the limit while streaming (no truncated dataset)', async () => {
    h = await harness({ maxUploadBytes: 50_000 });
    const { headers } = await h.login();
    const res = await upload(h, headers, 'big.csv', 'a\n' + 'x\n'.repeat(60_000));
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('UPLOAD_TOO_LARGE');
    expect(h.stagingFiles()).toEqual([]);
    expect(h.t.store.size).toBe(0);
  });

  it('answers 413 as soon as a body without Content-Length passes the limit, and frees its upload slot', async () => {
    h = await harness({ maxUploadBytes: 50_000, maxConcurrentUploads: 1 });
    const { headers } = await h.login();
    const { port } = await listen(h.t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false });
    const boundary = 'tvchunked';
    // Chunked (no Content-Length): the limit can only be seen while the body streams.
    const { req, response } = rawPost(port, {
      ...headers,
      host: `localhost:${port}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'transfer-encoding': 'chunked',
    });
    response.catch(() => undefined);
    req.on('error', () => undefined);
    req.write(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n` +
        'Content-Type: text/csv\r\n\r\na\n',
    );
    let answered = false;
    void response.then(() => (answered = true));
    // Keeps sending, well past the limit, until the server answers (at most 100 × 10 kB).
    for (let i = 0; i < 100 && !answered; i++) {
      if (!req.destroyed) req.write('x\n'.repeat(5_000));
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(answered).toBe(true);
    const res = await response;
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('UPLOAD_TOO_LARGE');
    req.destroy();
    // The slot is free again: the next upload is not refused with 429.
    expect((await upload(h, headers, 'small.csv', 'a\n1\n')).statusCode).toBe(201);
    await until(() => h!.stagingFiles().length === 0, 'the staging file to go');
    expect(h.t.store.size).toBe(1);
  });

  it('answers 400 for a request without a file and for an unsupported or corrupt file', async () => {
    h = await harness();
    const { headers } = await h.login();
    const empty = await h.t.app.inject({
      method: 'POST',
      url: '/api/datasets',
      headers: { ...headers, 'content-type': 'multipart/form-data; boundary=zz' },
      payload: '--zz--\r\n',
    });
    expect(empty.statusCode).toBe(400);
    // Not multipart at all, or the file in a part of another name: 400 saying how to send it.
    const json = await h.t.app.inject({ method: 'POST', url: '/api/datasets', headers, payload: {} });
    expect(json.statusCode).toBe(400);
    expect(json.json().error.message).toMatch(/multipart\/form-data, in a part named "file"/);
    const other = await h.t.app.inject({
      method: 'POST',
      url: '/api/datasets',
      headers: { ...headers, 'content-type': 'multipart/form-data; boundary=zz' },
      payload:
        '--zz\r\nContent-Disposition: form-data; name="other"; filename="t.csv"\r\n\r\na,b\n1,2\n\r\n--zz--\r\n',
    });
    expect(other.statusCode).toBe(400);
    expect(other.json().error.code).toBe('UPLOAD_MISSING_FILE');
    // Two files: the second is not dropped unread, the upload is refused and nothing kept.
    const part = (name: string) =>
      `--zz\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\na,b\n1,2\n\r\n`;
    const two = await h.t.app.inject({
      method: 'POST',
      url: '/api/datasets',
      headers: { ...headers, 'content-type': 'multipart/form-data; boundary=zz' },
      payload: part('one.csv') + part('two.csv') + '--zz--\r\n',
    });
    expect(two.statusCode).toBe(400);
    expect(two.json().error).toMatchObject({ code: 'UPLOAD_MULTIPLE_FILES' });
    expect(h.t.store.size).toBe(0);
    // Six form fields before the file: the multipart limit, said as such (not "the connection closed").
    const fields = Array.from(
      { length: 6 },
      (_, i) => `--zz\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nx\r\n`,
    ).join('');
    const crowded = await h.t.app.inject({
      method: 'POST',
      url: '/api/datasets',
      headers: { ...headers, 'content-type': 'multipart/form-data; boundary=zz' },
      payload: fields + part('one.csv') + '--zz--\r\n',
    });
    expect(crowded.statusCode).toBe(400);
    expect(crowded.json().error).toMatchObject({ code: 'UPLOAD_MALFORMED' });
    expect(crowded.json().error.message).toMatch(/more than 5 form fields before its file part/);
    expect(h.t.store.size).toBe(0);
    const withField = await h.t.app.inject({
      method: 'POST',
      url: '/api/datasets',
      headers: { ...headers, 'content-type': 'multipart/form-data; boundary=zz' },
      payload:
        part('one.csv') + '--zz\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--zz--\r\n',
    });
    expect(withField.statusCode, withField.body).toBe(201);
    const kept = withField.json().id as string;
    expect(
      (await h.t.app.inject({ method: 'DELETE', url: `/api/datasets/${kept}`, headers })).statusCode,
    ).toBe(204);
    expect((await upload(h, headers, 'virus.exe', 'MZ')).statusCode).toBe(400);
    const corrupt = await upload(h, headers, 'broken.parquet', 'PAR1 not really');
    expect(corrupt.statusCode).toBe(400);
    expect(h.stagingFiles()).toEqual([]);
    expect(h.t.store.size).toBe(0);
  });

  it('answers 400 UPLOAD_MALFORMED, keeping nothing, for a multipart body cut short', async () => {
    h = await harness();
    const { headers } = await h.login();
    const cut = await h.t.app.inject({
      method: 'POST',
      url: '/api/datasets',
      headers: { ...headers, 'content-type': 'multipart/form-data; boundary=XX' },
      payload: '--XX\r\nContent-Disposition: form-data; name="file"; filename="t.csv"\r\n\r\na,b\n1,2\n',
    });
    expect(cut.statusCode, cut.body).toBe(400);
    expect(cut.json().error.code).toBe('UPLOAD_MALFORMED');
    expect(h.stagingFiles()).toEqual([]);
    expect(h.t.store.size).toBe(0);
  });

  it('leaves nothing behind when the client disconnects mid-upload', async () => {
    h = await harness();
    const { headers } = await h.login();
    const { port } = await listen(h.t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false });
    const { payload, contentType } = multipart('canary.csv', 'secret\n' + 'CANARY-ABORT\n'.repeat(100_000));
    const { req, response } = rawPost(port, {
      ...headers,
      host: `localhost:${port}`,
      'content-type': contentType,
      'content-length': payload.length,
    });
    response.catch(() => undefined);
    req.write(payload.subarray(0, payload.length / 2));
    await until(() => h!.stagingFiles().length === 1, 'the staging file');
    req.destroy();
    await until(() => h!.stagingFiles().length === 0, 'the staging file to go');
    expect(h.t.store.size).toBe(0);
    // The attempt is in the audit log once, though no answer went out: who, what, and that it failed.
    const uploads = () => h!.t.audit.list({ limit: 100 }).filter((r) => r.route === 'POST /api/datasets');
    await until(() => uploads().length > 0, 'the audit record');
    await new Promise((r) => setTimeout(r, 200));
    expect(uploads()).toHaveLength(1);
    expect(uploads()[0]).toMatchObject({ actor: 'local', action: 'upload', result: 'error' });
  });

  it('answers 429 when too many uploads run at once', async () => {
    h = await harness({ maxConcurrentUploads: 1 });
    const { headers } = await h.login();
    const { port } = await listen(h.t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false });
    const slow = rawUpload(port, headers, 'slow.csv', 'a\n' + '1\n'.repeat(100_000));
    const { payload } = slow;
    slow.response.catch(() => undefined);
    slow.req.write(payload.subarray(0, 1000));
    await until(() => h!.stagingFiles().length === 1, 'the first upload to start');
    const second = await upload(h, headers, 'b.csv', 'a\n1\n');
    expect(second.statusCode).toBe(429);
    expect(second.headers['retry-after']).toBe('5');
    slow.req.end(payload.subarray(1000));
    expect((await slow.response).status).toBe(201);
    expect((await upload(h, headers, 'c.csv', 'a\n1\n')).statusCode).toBe(201);
  });

  it('answers 429 to a user who already has two uploads under way', async () => {
    h = await harness();
    const { headers } = await h.login();
    const { port } = await listen(h.t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false });
    const slow = [1, 2].map((i) => {
      const r = rawUpload(port, headers, `slow${i}.csv`, 'a\n' + '1\n'.repeat(100_000));
      r.response.catch(() => undefined);
      r.req.write(r.payload.subarray(0, 1000));
      return r;
    });
    await until(() => h!.stagingFiles().length === 2, 'both uploads to start');
    const third = await upload(h, headers, 'c.csv', 'a\n1\n');
    expect(third.statusCode).toBe(429);
    expect(third.json().error.message).toMatch(/you have 2 uploads or imports under way/);
    for (const s of slow) s.req.end(s.payload.subarray(1000));
    for (const s of slow) {
      const res = await s.response;
      expect(res.status).toBe(201);
      // Every row arrived whole, though the pace watch listened to the body too.
      expect(JSON.parse(res.body).rows).toBe(100_000);
    }
  });

  it('stops an upload whose body trickles, with 408, keeping nothing', async () => {
    h = await harness({ uploadPace: { windowMs: 300, minBytes: 4096 } });
    const { headers } = await h.login();
    const { port } = await listen(h.t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false });
    const r = rawUpload(port, headers, 'trickle.csv', 'a\n' + '1\n'.repeat(100_000));
    const { payload } = r;
    r.req.write(payload.subarray(0, 1000));
    await expectTooSlow(r, () => r.req.write(payload.subarray(1000, 1010)));
    await until(() => h!.stagingFiles().length === 0, 'the staging file to go');
    expect(h.t.store.size).toBe(0);
  });

  it('stops an upload that trickles before its file part begins, with 408, freeing the slot', async () => {
    h = await harness({ uploadPace: { windowMs: 300, minBytes: 4096 }, maxUploadsPerUser: 1 });
    const { headers } = await h.login();
    const { port } = await listen(h.t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false });
    const r = rawUpload(port, headers, 'late.csv', 'a\n1\n');
    const { payload } = r;
    let sent = 0;
    // The boundary line, a byte at a time: the file part never starts.
    await expectTooSlow(r, () => r.req.write(payload.subarray(sent, ++sent)));
    expect(sent).toBeLessThan(40);
    expect((await upload(h, headers, 'next.csv', 'a\n1\n')).statusCode).toBe(201);
  });

  it('stops an upload that stalls after its file part, with 408, freeing the slot', async () => {
    h = await harness({ uploadPace: { windowMs: 300, minBytes: 4096 }, maxUploadsPerUser: 1 });
    const { headers } = await h.login();
    const { port } = await listen(h.t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false });
    const { payload: file, contentType } = multipart('stall.csv', 'a\n' + '1\n'.repeat(10_000));
    const boundary = contentType.split('boundary=')[1]!;
    const fieldStart = Buffer.concat([
      file.subarray(0, file.length - '--\r\n'.length),
      Buffer.from('\r\nContent-Disposition: form-data; name="note"\r\n\r\n'),
    ]);
    const payload = Buffer.concat([fieldStart, Buffer.from('x'.repeat(100_000) + `\r\n--${boundary}--\r\n`)]);
    const r = {
      ...rawPost(port, {
        ...headers,
        host: `localhost:${port}`,
        'content-type': contentType,
        'content-length': payload.length,
      }),
      payload,
    };
    // The whole file part, then a field that comes a byte at a time.
    r.req.write(fieldStart);
    await expectTooSlow(r, () => r.req.write('x'));
    await until(() => h!.stagingFiles().length === 0, 'the staging file to go');
    expect(h.t.store.size).toBe(0);
    expect((await upload(h, headers, 'next.csv', 'a\n1\n')).statusCode).toBe(201);
  });

  it('answers 507 when the datasets held would pass the memory budget, and admits again after a delete', async () => {
    // This file's table takes about 560 kB in DuckDB: one fits, two do not.
    h = await harness({ maxResidentBytes: 1_000_000 });
    const { headers } = await h.login();
    const file = 'a\n' + '123456789\n'.repeat(20_000);
    const first = await upload(h, headers, 'one.csv', file);
    expect(first.statusCode).toBe(201);
    const second = await upload(h, headers, 'two.csv', file);
    expect(second.statusCode).toBe(507);
    expect(second.json().error.code).toBe('INSUFFICIENT_MEMORY');
    expect(h.t.store.size).toBe(1);
    expect(h.stagingFiles()).toEqual([]);
    const del = await h.t.app.inject({ method: 'DELETE', url: `/api/datasets/${first.json().id}`, headers });
    expect(del.statusCode).toBe(204);
    expect((await upload(h, headers, 'two.csv', file)).statusCode).toBe(201);
  });

  const tables = async (x: Harness) =>
    (await x.engine.connection.runAndReadAll('SELECT table_name FROM duckdb_tables()')).getRowsJson().length;

  it('refuses a CSV with too many columns with 400 naming the line and the setting, keeping nothing', async () => {
    h = await harness({ maxColumns: 5 });
    const { headers } = await h.login();
    const before = await tables(h);
    const wide = Array.from({ length: 8 }, (_, i) => `c${i}`).join(',') + '\n' + '1,2,3,4,5,6,7,8\n';
    const res = await upload(h, headers, 'wide.csv', wide);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'UPLOAD_TOO_MANY_COLUMNS',
      line: 1,
      setting: 'max-columns',
      limit: 5,
    });
    expect(res.json().error.message).toMatch(/^wide\.csv: line 1 has more than 5 columns.*--max-columns/);
    expect(h.t.store.size).toBe(0);
    expect(h.stagingFiles()).toEqual([]);
    expect(await tables(h)).toBe(before);
    const ok = await upload(h, headers, 'ok.tsv', 'a\tb\tc\td\te\n1\t2\t3\t4\t5\n');
    expect(ok.statusCode, ok.body).toBe(201);
  });

  it('refuses a cell over the length limit naming its column and line, quoted newlines counted', async () => {
    h = await harness({ maxCellBytes: 100 });
    const { headers } = await h.login();
    const long = 'é'.repeat(40) + '\n' + 'x'.repeat(30); // 111 UTF-8 bytes, over two lines
    const csv = `id,notes,city\n1,short,Paris\n2,"${long}",Lyon\n`;
    const res = await upload(h, headers, 'notes.csv', csv);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'UPLOAD_CELL_TOO_LONG',
      column: 'notes',
      line: 3,
      setting: 'max-cell-length',
      limit: 100,
    });
    expect(res.json().error.message).toMatch(
      /^notes\.csv: line 3, column "notes".*100 bytes.*--max-cell-length/,
    );
    expect(h.t.store.size).toBe(0);
    expect(h.stagingFiles()).toEqual([]);
    // 100 bytes exactly is within the limit ("" counts as one quote).
    const edge = await upload(h, headers, 'edge.csv', `a,b\n"${'y'.repeat(98)}""",z\n`);
    expect(edge.statusCode, edge.body).toBe(201);
  });

  it('answers 400 before the body is read in full when a CSV passes the column limit', async () => {
    h = await harness({ maxColumns: 50 });
    const { headers } = await h.login();
    const { port } = await listen(h.t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false });
    const header = Array.from({ length: 60 }, (_, i) => `c${i}`).join(',') + '\n';
    const { payload, contentType } = multipart('wide.csv', header + '1\n'.repeat(10 * 2 ** 20));
    const { req, response } = rawPost(port, {
      ...headers,
      host: `localhost:${port}`,
      'content-type': contentType,
      'content-length': payload.length,
    });
    response.catch(() => undefined);
    // A sixth of the body: the answer comes while the rest is still unsent.
    req.write(payload.subarray(0, Math.floor(payload.length / 6)));
    const res = await response;
    req.destroy();
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('UPLOAD_TOO_MANY_COLUMNS');
    await until(() => h!.stagingFiles().length === 0, 'the staging file to go');
    expect(h.t.store.size).toBe(0);
  });

  it('checks other formats after loading, before the dataset is visible, and drops the table', async () => {
    h = await harness({ maxCellBytes: 50, maxColumns: 3 });
    const { headers } = await h.login();
    const before = await tables(h);
    const json = JSON.stringify([
      { a: 'ok', b: 'fine' },
      { a: 'ok', b: 'z'.repeat(51) },
    ]);
    const res = await upload(h, headers, 'rows.json', json);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'UPLOAD_CELL_TOO_LONG', column: 'b' });
    expect(res.json().error.message).toMatch(/record 2, column "b"/);
    const wide = await upload(h, headers, 'wide.ndjson', JSON.stringify({ a: 1, b: 2, c: 3, d: 4 }));
    expect(wide.statusCode).toBe(400);
    expect(wide.json().error.message).toMatch(/the file has 4 columns; this server takes at most 3/);
    // A key is a column's name: held to the cell limit too.
    const key = await upload(h, headers, 'key.json', JSON.stringify([{ a: 1, ['k'.repeat(80)]: 2 }]));
    expect(key.statusCode).toBe(400);
    expect(key.json().error.code).toBe('UPLOAD_CELL_TOO_LONG');
    expect(key.json().error.message).toMatch(
      /^key\.json: the name of column 2: a cell is longer than this server's limit of 50 bytes/,
    );
    expect(h.t.store.size).toBe(0);
    expect(await tables(h)).toBe(before);
    expect(h.stagingFiles()).toEqual([]);
  });

  /** Upload with parse options in the query; on success, the column names and every row. */
  async function uploadWith(
    x: Harness,
    auth: Record<string, string>,
    name: string,
    body: string | Buffer,
    query: string,
  ) {
    const { payload, contentType } = multipart(name, body);
    const res = await x.t.app.inject({
      method: 'POST',
      url: `/api/datasets${query}`,
      headers: { ...auth, 'content-type': contentType },
      payload,
    });
    if (res.statusCode !== 201) return { res, names: [], rows: [] };
    const { id, columns } = res.json() as { id: string; columns: { name: string }[] };
    const page = await x.t.app.inject({ method: 'GET', url: `/api/datasets/${id}/rows`, headers: auth });
    return { res, names: columns.map((c) => c.name), rows: page.json().rows as unknown[][] };
  }

  it('reads a CSV with the delimiter, header and encoding the query names', async () => {
    h = await harness();
    const { headers } = await h.login();
    // Sniffing takes the comma here; the file is really semicolon-separated with decimal commas.
    const semi = 'a,b;c,d\n1,2;3,4\n5,6;7,8\n';
    expect((await uploadWith(h, headers, 's.csv', semi, '')).names).toEqual(['a', 'b;c', 'd']);
    const s = await uploadWith(h, headers, 's.csv', semi, '?delimiter=%3B');
    expect(s.res.statusCode, s.res.body).toBe(201);
    expect(s.names).toEqual(['a,b', 'c,d']);
    expect(s.rows).toEqual([
      ['1,2', '3,4'],
      ['5,6', '7,8'],
    ]);
    const tabbed = 'a,b\tc,d\n1,2\t3,4\n';
    for (const tab of ['tab', '%5Ct', '%09']) {
      expect((await uploadWith(h, headers, 't.csv', tabbed, `?delimiter=${tab}`)).names, tab).toEqual([
        'a,b',
        'c,d',
      ]);
    }
    expect((await uploadWith(h, headers, 'h.csv', 'a,b\n1,2\n', '')).names).toEqual(['a', 'b']);
    const noHeader = await uploadWith(h, headers, 'h.csv', 'a,b\n1,2\n', '?header=false');
    expect(noHeader.names).toEqual(['column_1', 'column_2']);
    expect(noHeader.rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    const yes = await uploadWith(h, headers, 'h.csv', 'id,n\n1,2\n', '?header=true&delimiter=,');
    expect(yes.names).toEqual(['id', 'n']);
    // UTF-8 bytes read as Windows-1252, because the query says so.
    const cafe = Buffer.from('name\ncafé\n', 'utf8');
    expect((await uploadWith(h, headers, 'e.csv', cafe, '')).rows).toEqual([['café']]);
    const asked = await uploadWith(h, headers, 'e.csv', cafe, '?encoding=windows-1252');
    expect(asked.rows).toEqual([['cafÃ©']]);
    expect(asked.res.json().warnings).toContain('read as Windows-1252');
  });

  it("extends ragged rows and reads a named format when the query says, with advice in the API's words", async () => {
    h = await harness();
    const { headers } = await h.login();
    const ragged = 'a,b\n1,2\n3,4,5\n';
    const refused = await uploadWith(h, headers, 'r.csv', ragged, '');
    expect(refused.res.statusCode).toBe(400);
    const message = refused.res.json().error.message as string;
    expect(message).toMatch(
      /^r\.csv: line 3: 3 fields, but the header has 2 \(upload again with \?ragged=extend/,
    );
    expect(message).not.toMatch(/--ragged/);
    const extended = await uploadWith(h, headers, 'r.csv', ragged, '?ragged=extend');
    expect(extended.res.statusCode, extended.res.body).toBe(201);
    expect(extended.names).toEqual(['a', 'b', 'column_3']);
    expect(extended.rows).toEqual([
      ['1', '2', null],
      ['3', '4', '5'],
    ]);
    const bare = await uploadWith(h, headers, 'export', 'a\n1\n', '');
    expect(bare.res.statusCode).toBe(400);
    expect(bare.res.json().error.message).toMatch(/or upload with \?format=csv/);
    const named = await uploadWith(h, headers, 'export', 'a\n1\n', '?format=csv');
    expect(named.res.statusCode, named.res.body).toBe(201);
    expect(named.rows).toEqual([['1']]);
    const wrong = await uploadWith(h, headers, 'x.csv', 'a\n', '?format=xls');
    expect(wrong.res.statusCode).toBe(400);
    expect(wrong.res.json().error.message).toMatch(/format: must be one of csv, tsv/);
    // A name longer than 255 characters keeps its extension (which says the format).
    const long = await uploadWith(h, headers, `${'n'.repeat(300)}.csv`, 'a\n1\n', '');
    expect(long.res.statusCode, long.res.body).toBe(201);
    expect(long.res.json().name).toBe(`${'n'.repeat(251)}.csv`);
  });

  it('reads the xlsx sheet the query names', async () => {
    h = await harness();
    const { headers } = await h.login();
    const csv = await upload(h, headers, 'z.csv', 'zip\n00123\n');
    const xlsx = await h.t.app.inject({
      method: 'GET',
      url: `/api/datasets/${csv.json().id}/export?format=xlsx`,
      headers,
    });
    expect(xlsx.statusCode).toBe(200);
    const ok = await uploadWith(h, headers, 'z.xlsx', xlsx.rawPayload, '?sheet=Data');
    expect(ok.res.statusCode, ok.res.body).toBe(201);
    expect(ok.rows).toEqual([['00123']]);
    const nope = await uploadWith(h, headers, 'z.xlsx', xlsx.rawPayload, '?sheet=Nope');
    expect(nope.res.statusCode).toBe(400);
    expect(nope.res.json().error.message).toMatch(/sheet 'Nope' not found; sheets: Data/);
  });

  it('names a too-long cell of a sheet by its data row, the header not counted', async () => {
    const maker = await harness();
    let sheet: Buffer;
    try {
      const m = await maker.login();
      const csv = await upload(maker, m.headers, 'w.csv', `a,b\nok,fine\nok,${'z'.repeat(60)}\n`);
      const xlsx = await maker.t.app.inject({
        method: 'GET',
        url: `/api/datasets/${csv.json().id}/export?format=xlsx`,
        headers: m.headers,
      });
      sheet = Buffer.from(xlsx.rawPayload);
    } finally {
      await maker.close();
    }
    h = await harness({ maxCellBytes: 50 });
    const { headers } = await h.login();
    const res = await uploadWith(h, headers, 'w.xlsx', sheet, '');
    expect(res.res.statusCode).toBe(400);
    expect(res.res.json().error.message).toMatch(/data row 2 \(not counting the header\), column "b"/);
  });

  it('answers 400 naming the parameter for a bad parse option, before loading anything', async () => {
    h = await harness();
    const { headers } = await h.login();
    const before = await tables(h);
    for (const [query, field, message] of [
      ['?delimiter=%3B%3B', 'delimiter', /one character/],
      ['?delimiter=', 'delimiter', /one character/],
      ['?delimiter=%0A', 'delimiter', /line break/],
      ['?delimiter=%22', 'delimiter', /double quote/],
      ['?encoding=latin9', 'encoding', /one of utf-8, utf-16le, utf-16be, windows-1252/],
      ['?header=yes', 'header', /true or false/],
      [`?sheet=${'s'.repeat(201)}`, 'sheet', /at most 200/],
      ['?sheet=', 'sheet', /empty/],
    ] as const) {
      const { res } = await uploadWith(h, headers, 'a.csv', 'a,b\n1,2\n', query);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error, query).toMatchObject({ code: 'BAD_REQUEST', field });
      expect(res.json().error.message, query).toMatch(new RegExp(`^querystring\\.${field}: `));
      expect(res.json().error.message, query).toMatch(message);
    }
    expect(h.t.store.size).toBe(0);
    expect(h.stagingFiles()).toEqual([]);
    expect(await tables(h)).toBe(before);
  });

  it('answers 400 BAD_REQUEST naming the parameter when the query does not fit the file', async () => {
    h = await harness();
    const { headers } = await h.login();
    for (const [name, query, field, message] of [
      [
        'a.csv',
        '?sheet=Data',
        'sheet',
        /a sheet \(\?sheet=\) is chosen only in an xlsx file; a\.csv is read as csv/,
      ],
      ['a.weird', '', 'format', /cannot tell the format of a\.weird .* or upload with \?format=csv/],
      [
        'a.json',
        '?header=false',
        'header',
        /^\?header=false applies to CSV and TSV files only; a\.json is read as json/,
      ],
      ['a.json', '?delimiter=%3B', 'delimiter', /^\?delimiter= applies to CSV and TSV files only/],
    ] as const) {
      const { res } = await uploadWith(h, headers, name, 'a,b\n1,2\n', query);
      expect(res.statusCode, name).toBe(400);
      expect(res.json().error, name).toMatchObject({ code: 'BAD_REQUEST', field });
      expect(res.json().error.message, name).toMatch(message);
      expect(res.json().error.message, name).not.toMatch(/--/);
    }
    const ok = await uploadWith(h, headers, 'a.weird', 'a,b\n1,2\n', '?format=csv');
    expect(ok.res.statusCode).toBe(201);
  });

  it('checks the column limit while streaming with the delimiter the query names', async () => {
    h = await harness({ maxColumns: 2 });
    const { headers } = await h.login();
    // Sniffed, this is one column; with ":" it is three, over the limit of two.
    const res = (await uploadWith(h, headers, 'c.csv', 'a:b:c\n1:2:3\n', '?delimiter=:')).res;
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'UPLOAD_TOO_MANY_COLUMNS', line: 1, limit: 2 });
    expect(h.t.store.size).toBe(0);
  });

  it('documents the parse options in OpenAPI', async () => {
    h = await harness();
    const doc = (await h.t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const params = doc.paths['/api/datasets'].post.parameters as {
      name: string;
      in: string;
      description?: string;
    }[];
    expect(params.filter((p) => p.in === 'query').map((p) => p.name)).toEqual([
      'delimiter',
      'encoding',
      'header',
      'sheet',
      'format',
      'ragged',
    ]);
    for (const p of params) expect(p.description, p.name).toBeTruthy();
  });

  it('keeps only a bare, printable file name', () => {
    expect(cleanName('../../etc/passwd.csv')).toBe('passwd.csv');
    expect(cleanName('C:\\Users\\me\\data.csv')).toBe('data.csv');
    expect(cleanName('a\r\nb.csv')).toBe('ab.csv');
    expect(cleanName('')).toBe('upload.csv');
    expect(cleanName(`${'x'.repeat(400)}.parquet`)).toBe(`${'x'.repeat(247)}.parquet`);
  });
});
