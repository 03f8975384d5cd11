import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { ServerProcess } from './server-process.js';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: () => any;
}

/** A multipart envelope around one file part named "file". */
export function envelope(filename: string): { head: Buffer; tail: Buffer; contentType: string } {
  const boundary = `----tidyvaultproof${randomBytes(8).toString('hex')}`;
  return {
    head: Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
        `Content-Type: text/csv\r\n\r\n`,
    ),
    tail: Buffer.from(`\r\n--${boundary}--\r\n`),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/**
 * A signed-in API client over real HTTP (node:http, a new connection per request), through the
 * namespace bridge's Unix socket when the server has one. Follows the login link, then keeps
 * the session cookie and the CSRF token from GET /api/auth/me.
 */
export class Client {
  private cookie = '';
  private csrf = '';
  private constructor(private readonly server: Pick<ServerProcess, 'origin' | 'socketPath'>) {}

  static async login(server: ServerProcess): Promise<Client> {
    const c = new Client(server);
    const url = new URL(server.loginUrl);
    const link = await c.request('GET', url.pathname + url.search);
    if (link.status !== 303) throw new Error(`login link answered ${link.status}`);
    const set = [link.headers['set-cookie'] ?? []].flat().find((s) => s.includes('tidyvault-sid='));
    if (!set) throw new Error('login link set no session cookie');
    c.cookie = set.split(';')[0]!;
    const me = await c.request('GET', '/api/auth/me');
    if (me.status !== 200) throw new Error(`GET /api/auth/me answered ${me.status}`);
    c.csrf = me.json().csrfToken as string;
    return c;
  }

  /** Request options (path, headers, socket) for a raw request the caller drives itself. */
  options(method: string, path: string, headers: Record<string, string | number> = {}): http.RequestOptions {
    const url = new URL(this.server.origin);
    return {
      method,
      path,
      agent: false,
      ...(this.server.socketPath
        ? { socketPath: this.server.socketPath }
        : { host: url.hostname, port: Number(url.port) }),
      headers: {
        host: url.host,
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrf && method !== 'GET' ? { 'x-tidyvault-csrf': this.csrf, origin: url.origin } : {}),
        ...headers,
      },
    };
  }

  request(method: string, path: string, body?: Buffer | object, headers: Record<string, string> = {}) {
    const payload =
      body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const extra: Record<string, string | number> = { ...headers };
    if (payload) {
      extra['content-length'] = payload.length;
      if (!Buffer.isBuffer(body)) extra['content-type'] = 'application/json';
    }
    return new Promise<Reply>((resolve, reject) => {
      const req = http.request(this.options(method, path, extra), (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: buf,
            json: () => JSON.parse(buf.toString('utf8')),
          });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  get = (path: string) => this.request('GET', path);
  post = (path: string, body?: object) => this.request('POST', path, body ?? {});
  put = (path: string, body: object) => this.request('PUT', path, body);
  delete = (path: string) => this.request('DELETE', path);

  /** Upload one file from memory (the test never writes the canary to disk itself). */
  async upload(filename: string, content: Buffer): Promise<Reply> {
    const e = envelope(filename);
    return this.request('POST', '/api/datasets', Buffer.concat([e.head, content, e.tail]), {
      'content-type': e.contentType,
    });
  }

  /**
   * Start an upload and send only `content.subarray(0, sendBytes)`, declaring the full length:
   * the server waits for the rest. Returns the live request so the test can cut it.
   */
  partialUpload(filename: string, content: Buffer, sendBytes: number) {
    const e = envelope(filename);
    const total = e.head.length + content.length + e.tail.length;
    const req = http.request(
      this.options('POST', '/api/datasets', { 'content-type': e.contentType, 'content-length': total }),
    );
    const outcome = new Promise<string>((resolve) => {
      req.on('response', (res) => {
        res.resume();
        resolve(`status ${res.statusCode}`);
      });
      req.on('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`));
      req.on('close', () => resolve('closed'));
    });
    req.write(e.head);
    req.write(content.subarray(0, sendBytes));
    if (sendBytes >= content.length) req.write(e.tail);
    return { req, outcome };
  }
}
