import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** No third party anything; the same set on every response (JSON, errors, 404, future static files). */
export const CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CSP,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy':
    'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), interest-cohort=()',
  'x-dns-prefetch-control': 'off',
  'x-permitted-cross-domain-policies': 'none',
};

export const HSTS = 'max-age=31536000; includeSubDomains';

/** The headers every response carries; `path` is the request's, without its query. */
export function setSecurityHeaders(reply: FastifyReply, o: { secure: boolean; path: string }): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
  if (o.secure) reply.header('strict-transport-security', HSTS);
  if (o.path.startsWith('/api/') || o.path.startsWith('/auth/')) {
    reply.header('cache-control', 'no-store');
    reply.header('pragma', 'no-cache');
  }
  // Only the app's hashed files say otherwise (immutable: they hold no data).
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  reply.header('vary', 'Origin, Sec-Fetch-Site, Cookie');
}

/**
 * A refusal before the body was read (no session, too big, wrong host, a bad URL): close the
 * connection rather than read the rest of a body nobody will use.
 */
export function closeUnreadBody(request: IncomingMessage, reply: FastifyReply): void {
  if (!request.complete) reply.header('connection', 'close');
}

export function registerSecurityHeaders(app: FastifyInstance, o: { secure: boolean }): void {
  app.addHook('onSend', async (request, reply, payload) => {
    setSecurityHeaders(reply, { secure: o.secure, path: request.url.split('?')[0]! });
    if (reply.statusCode >= 400) closeUnreadBody(request.raw, reply);
    return payload;
  });
}

const CLIENT_ERRORS: Record<number, { code: string; message: string }> = {
  400: { code: 'BAD_REQUEST', message: 'the request could not be read as HTTP' },
  408: { code: 'REQUEST_TIMEOUT', message: 'the request took too long to arrive' },
  431: { code: 'HEADERS_TOO_LARGE', message: 'the request line and headers are too large' },
};

/**
 * Node's answer to a request it cannot parse (a malformed request line, headers too large,
 * Content-Length with Transfer-Encoding) comes before any hook: it is written here instead, with
 * the same security headers and error shape as every other response, and the connection closed.
 */
export function answerClientError(
  err: Error & { code?: string },
  socket: Duplex,
  o: { secure: boolean },
): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify({ error: CLIENT_ERRORS[status] });
  const headers: Record<string, string | number> = {
    ...SECURITY_HEADERS,
    ...(o.secure ? { 'strict-transport-security': HSTS } : {}),
    'cache-control': 'no-store',
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  };
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head.join('')}\r\n${body}`);
}
