import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP, SECURITY_HEADERS } from './security/headers.js';
import { harness, type Harness } from './test-support.js';

describe('app basics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it('answers /healthz with the security headers', async () => {
    const res = await h.t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    expect(res.headers['content-security-policy']).toBe(CSP);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('allows no other origin to read an answer (no CORS header, whatever Origin says) and varies caches on who asks', async () => {
    for (const origin of ['https://evil.example', 'null', 'http://localhost']) {
      for (const method of ['GET', 'OPTIONS'] as const) {
        const res = await h.t.app.inject({
          method,
          url: '/api/auth/me',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
        const cors = Object.keys(res.headers).filter((k) => k.startsWith('access-control-'));
        expect(cors, `${method} from ${origin}`).toEqual([]);
        expect(res.headers.vary).toBe('Origin, Sec-Fetch-Site, Cookie');
      }
    }
  });

  it('puts the same headers on 404s and no-store on the API', async () => {
    const res = await h.t.app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no such route' } });
    expect(res.headers['content-security-policy']).toBe(CSP);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it("answers a URL the router cannot read with the contract's error, the headers, and no echo of the path", async () => {
    for (const [url, status, code] of [
      ['/api/datasets/%zz', 400, 'BAD_URL'],
      [`/api/datasets/${'b'.repeat(600)}canary`, 414, 'URI_TOO_LONG'],
    ] as const) {
      const res = await h.t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(status);
      expect(res.json().error.code).toBe(code);
      expect(res.body).not.toMatch(/%zz|canary/);
      expect(res.headers['content-security-policy']).toBe(CSP);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('closes the connection when it refuses a request whose body it has not read', async () => {
    await h.t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = h.t.app.server.address() as net.AddressInfo;
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => (received += String(d)));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(
      `POST /api/datasets HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: text/csv\r\n` +
        `Content-Length: 2000000000\r\n\r\n` +
        'a,b\n'.repeat(1000),
    );
    // The server closes its end although 2 GB were announced: it reads no more of them.
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 401/);
    expect(received.toLowerCase()).toContain('connection: close');
  });

  it('answers requests Node cannot parse, and one without a Host, with the security headers and the error shape', async () => {
    if (!h.t.app.server.listening) await h.t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = h.t.app.server.address() as net.AddressInfo;
    const raw = (request: string) =>
      new Promise<string>((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        let received = '';
        socket.on('data', (d) => (received += String(d)));
        socket.on('close', () => resolve(received));
        socket.on('error', () => resolve(received));
        socket.end(request);
      });
    for (const [request, status, code] of [
      ['GET /healthz HTTP/1.1\r\n\r\n', 421, 'HOST_NOT_ALLOWED'],
      [
        `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'x'.repeat(400_000)}\r\n\r\n`,
        431,
        'HEADERS_TOO_LARGE',
      ],
      ['GET / HTTP/1.1 garbage\r\nHost: localhost\r\n\r\n', 400, 'BAD_REQUEST'],
      [
        'POST /api/datasets HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        400,
        'BAD_REQUEST',
      ],
    ] as const) {
      const answer = await raw(request);
      const [head, body] = answer.split('\r\n\r\n');
      expect(head, request.slice(0, 40)).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      for (const [name, value] of Object.entries(SECURITY_HEADERS))
        expect(head!.toLowerCase(), `${name} on ${status}`).toContain(`${name}: ${value.toLowerCase()}`);
      expect(head!.toLowerCase()).toContain('cache-control: no-store');
      expect(JSON.parse(body!).error.code).toBe(code);
    }
  });

  it('refuses foreign Host headers (DNS rebinding) with 421', async () => {
    for (const host of ['evil.example', 'evil.example:5177', 'localhost.evil.example', 'a b']) {
      const res = await h.t.app.inject({ method: 'GET', url: '/healthz', headers: { host } });
      expect(res.statusCode, host).toBe(421);
      expect(res.json().error.code).toBe('HOST_NOT_ALLOWED');
      expect(res.headers['content-security-policy']).toBe(CSP);
    }
    // Before the route, whatever it is: the app, the API (signed in or not), a state change.
    for (const [method, url] of [
      ['GET', '/'],
      ['GET', '/api/datasets'],
      ['POST', '/api/datasets'],
      ['GET', '/auth/token?token=x'],
    ] as const) {
      const res = await h.t.app.inject({ method, url, headers: { host: 'evil.example' } });
      expect(res.statusCode, `${method} ${url}`).toBe(421);
    }
    for (const host of ['localhost:5177', '127.0.0.1:80', '[::1]:5177', 'LOCALHOST']) {
      const res = await h.t.app.inject({ method: 'GET', url: '/healthz', headers: { host } });
      expect(res.statusCode, host).toBe(200);
    }
  });

  it('publishes OpenAPI built from the route schemas', async () => {
    const res = await h.t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of [
      '/healthz',
      '/api/datasets',
      '/api/datasets/{id}',
      '/api/datasets/{id}/rows',
      '/api/datasets/{id}/facet',
      '/api/datasets/{id}/steps',
      '/api/datasets/{id}/export',
    ]) {
      expect(doc.paths[p], p).toBeDefined();
    }
    const rows = doc.paths['/api/datasets/{id}/rows']!.get as { parameters: { name: string }[] };
    expect(rows.parameters.map((x) => x.name)).toEqual(
      expect.arrayContaining(['id', 'offset', 'limit', 'step']),
    );
  });

  it('says what every route can answer besides its own responses, and what the bodies hold', async () => {
    const doc = (await h.t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    type Op = {
      responses: Record<string, unknown>;
      requestBody?: { content: Record<string, { schema: unknown }> };
    };
    const ops = Object.entries(doc.paths as Record<string, Record<string, Op>>).flatMap(([path, m]) =>
      Object.entries(m).map(([method, op]) => ({ path, method, op })),
    );
    for (const { path, method, op } of ops) {
      const statuses = Object.keys(op.responses);
      expect(statuses, `${method} ${path}`).toContain('421');
      // Public routes that never ask for a session (here, single-user mode, the password sign-in
      // only says how to sign in).
      if (['/healthz', '/api/auth/mode', '/api/auth/login'].includes(path))
        expect(statuses, `${method} ${path}`).not.toContain('401');
      else expect(statuses, `${method} ${path}`).toContain('401');
      if (path.includes('{id}'))
        expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(['404', '507']));
      if (method !== 'get' && path !== '/auth/token') expect(statuses, `${method} ${path}`).toContain('403');
      // Behind --trust-proxy every route but /healthz can answer 403 PROXY_REQUIRED.
      if (path !== '/healthz') expect(statuses, `${method} ${path}`).toContain('403');
    }
    const answers = (path: string, method: string) => Object.keys(doc.paths[path][method].responses);
    // Audited requests are refused while the audit log cannot be written; deleting and signing out never are.
    expect(answers('/api/datasets/{id}/rows', 'get')).toContain('503');
    expect(answers('/api/datasets', 'post')).toContain('503');
    expect(answers('/api/datasets/{id}', 'delete')).not.toContain('503');
    expect(answers('/api/auth/logout', 'post')).not.toContain('503');
    // Signing out takes a body or none.
    expect(doc.paths['/api/auth/logout'].post.requestBody?.required ?? false).toBe(false);
    const op = (path: string, method: string) => doc.paths[path][method] as Op;
    expect(op('/api/datasets', 'post').requestBody!.content['multipart/form-data']!.schema).toMatchObject({
      required: ['file'],
    });
    expect(Object.keys(op('/api/datasets/{id}/export', 'get').responses['200'] as object)).toContain(
      'content',
    );
    expect(
      Object.keys((op('/api/datasets/{id}/export', 'get').responses['200'] as Op['requestBody'])!.content),
    ).toEqual(expect.arrayContaining(['text/csv', 'application/vnd.apache.parquet']));
    expect(op('/auth/token', 'get').responses).toHaveProperty('303');
    const where = (op('/api/datasets/{id}/location', 'get').responses['200'] as Op['requestBody'])!.content[
      'application/json'
    ]!.schema as { properties: Record<string, unknown> };
    expect(Object.keys(where.properties)).toEqual(
      expect.arrayContaining([
        'where',
        'approxBytes',
        'onDisk',
        'preparedExports',
        'recentAccesses',
        'caveat',
      ]),
    );
    expect(JSON.stringify(op('/api/datasets/{id}/recipe', 'put').requestBody)).toContain(
      '#/components/schemas/Recipe',
    );
    // Every reference points into the document, the recipe's own definitions included.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1]!,
    );
    expect(refs.length).toBeGreaterThan(3);
    for (const r of new Set(refs)) expect(doc.components.schemas, r).toHaveProperty([r]);
    expect(
      doc.components.schemas.Step.oneOf.map(
        (s: { properties: { op: { const: string } } }) => s.properties.op.const,
      ),
    ).toContain('cluster-merge');
  });
});

describe('behind a TLS proxy (--trust-proxy)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ trustProxy: '127.0.0.1', allowedHosts: ['tidy.example.org'] });
  });
  afterAll(() => h.close());

  const get = (remoteAddress: string, headers: Record<string, string>) =>
    h.t.app.inject({
      method: 'GET',
      url: '/api/auth/mode',
      remoteAddress,
      headers: { host: 'tidy.example.org', ...headers },
    });

  it('answers HTTPS forwarded by the trusted proxy', async () => {
    expect((await get('127.0.0.1', { 'x-forwarded-proto': 'https' })).statusCode).toBe(200);
  });

  it('refuses a client that reaches the port directly, whatever it claims', async () => {
    for (const [from, headers] of [
      ['192.0.2.2', { 'x-forwarded-proto': 'https' }],
      ['192.0.2.2', {}],
      ['127.0.0.1', {}],
    ] as const) {
      const res = await get(from, headers);
      expect(res.statusCode, from).toBe(403);
      expect(res.json().error.code).toBe('PROXY_REQUIRED');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    // Health checks, which read nothing, may come straight.
    const health = await h.t.app.inject({
      method: 'GET',
      url: '/healthz',
      remoteAddress: '192.0.2.2',
      headers: { host: 'tidy.example.org' },
    });
    expect(health.statusCode).toBe(200);
  });
});
