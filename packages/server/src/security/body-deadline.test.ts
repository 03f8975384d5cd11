import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { localHarness, type LocalHarness } from '../auth/test-local.js';

/** Sends the request line, headers and the start of a body, then nothing: what comes back. */
function trickle(port: number, body: string, declared: number): Promise<{ answer: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(
        [
          'POST /api/auth/login HTTP/1.1',
          `Host: 127.0.0.1:${port}`,
          'Content-Type: application/json',
          'Sec-Fetch-Site: same-origin',
          `Content-Length: ${declared}`,
          '',
          body,
        ].join('\r\n'),
      );
    });
    let answer = '';
    socket.on('data', (d) => (answer += String(d)));
    socket.on('close', () => resolve({ answer, ms: performance.now() - started }));
    socket.on('error', reject);
    setTimeout(() => socket.destroy(), 10_000);
  });
}

describe('the body deadline of requests other than uploads', () => {
  let h: LocalHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('answers 408 and closes the connection when a sign-in body does not arrive in time', async () => {
    h = await localHarness([{ name: 'ann', password: 'correct horse battery' }], { bodyDeadlineMs: 300 });
    await h.t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = h.t.app.server.address() as net.AddressInfo;
    const { answer, ms } = await trickle(port, '{"username":"ann"', 200);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toContain('"code":"REQUEST_TIMEOUT"');
    expect(answer).toContain('content-security-policy');
    // Closed at the deadline, not at the socket's 10 s or the 30-minute request timeout.
    expect(ms).toBeLessThan(5_000);
    // Requests without a body, kept alive past the deadline, are untouched.
    const agent = new http.Agent({ keepAlive: true });
    const get = () =>
      new Promise<number>((resolve, reject) =>
        http
          .get(
            { host: '127.0.0.1', port, path: '/healthz', agent },
            (res) => (res.resume(), resolve(res.statusCode!)),
          )
          .on('error', reject),
      );
    expect(await get()).toBe(200);
    await new Promise((r) => setTimeout(r, 600));
    expect(await get()).toBe(200);
    agent.destroy();
    // A body that arrives whole is read as usual.
    const ok = await h.tryLogin('ann', 'correct horse battery');
    expect(ok.statusCode).toBe(200);
    // Headers have their own limit (Slowloris): Node's default would be 60 s.
    expect(h.t.app.server.headersTimeout).toBe(30_000);
  });
});
