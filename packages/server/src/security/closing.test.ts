import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildLocalOnlyApp } from '../local-only.js';
import { fakeWebRoot, harness, type Harness } from '../test-support.js';
import { CSP } from './headers.js';

/**
 * A sign-in whose body is held back, then, once `app.close()` has begun, the rest of it and a
 * second request pipelined behind it on the same connection: what the connection got.
 */
function requestWhileClosing(app: FastifyInstance, get: string): Promise<string> {
  const { port } = app.server.address() as net.AddressInfo;
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(
        [
          'POST /api/auth/login HTTP/1.1',
          `Host: 127.0.0.1:${port}`,
          'Content-Type: application/json',
          'Content-Length: 2',
          '',
          '{',
        ].join('\r\n'),
      );
      // The first request is being read: the server cannot end this connection yet.
      setTimeout(() => {
        void app.close();
        setTimeout(() => socket.write(`}GET ${get} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`), 100);
      }, 100);
    });
    socket.on('data', (d) => (answer += String(d)));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    setTimeout(() => socket.destroy(), 10_000);
  });
}

/** The second response on the connection (the one to the pipelined GET). */
const second = (answer: string) => answer.slice(answer.indexOf('HTTP/1.1', 1));

describe('requests that arrive while the server stops', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('get 503 SHUTTING_DOWN with every security header, and their connection closed', async () => {
    h = await harness();
    await h.t.app.listen({ host: '127.0.0.1', port: 0 });
    const answer = second(await requestWhileClosing(h.t.app, '/api/datasets'));
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).toContain(`content-security-policy: ${CSP}`);
    expect(answer).toMatch(/cache-control: no-store/i);
    expect(answer).toMatch(/x-frame-options: DENY/i);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toContain(
      '{"error":{"code":"SHUTTING_DOWN","message":"the server is stopping; try again once it is back"}}',
    );
  });

  it('the same from serve --local-only', async () => {
    const web = fakeWebRoot();
    const app = await buildLocalOnlyApp({ root: web.root });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const answer = second(await requestWhileClosing(app, '/healthz'));
    web.remove();
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).toContain(`content-security-policy: ${CSP}`);
    expect(answer).toMatch(/cross-origin-embedder-policy: require-corp/i);
    expect(answer).toContain('"code":"SHUTTING_DOWN"');
  });
});
