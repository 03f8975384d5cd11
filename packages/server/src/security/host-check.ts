import type { FastifyInstance } from 'fastify';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** The host name of a Host header, lower-cased, without the port (IPv6 keeps its brackets). */
export function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const h = header.trim().toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(h);
  return m ? m[1] : undefined;
}

/**
 * DNS-rebinding defence: a page on evil.example that rebinds its name to 127.0.0.1 still sends
 * `Host: evil.example`, so anything but the expected names gets 421 before any other work.
 */
export function registerHostCheck(app: FastifyInstance, extraHosts: string[]): void {
  const allowed = new Set([...LOOPBACK_NAMES, ...extraHosts.map((h) => h.toLowerCase())]);
  app.addHook('onRequest', async (request, reply) => {
    const name = hostName(request.headers.host);
    if (name === undefined || !allowed.has(name)) {
      return reply.code(421).send({
        error: { code: 'HOST_NOT_ALLOWED', message: 'this server does not answer for that host name' },
      });
    }
  });
}

/**
 * Behind a TLS proxy (`--trust-proxy`, no TLS here) every request must have come through it:
 * Fastify takes X-Forwarded-Proto only from a trusted peer, so a client reaching the port
 * directly is plain HTTP and is refused (the session cookie is Secure, HSTS is sent: the
 * server promises HTTPS). /healthz, which holds nothing, stays open to direct health checks.
 */
export function registerProxyOnly(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.protocol === 'https' || request.url.split('?')[0] === '/healthz') return;
    return reply.code(403).send({
      error: {
        code: 'PROXY_REQUIRED',
        message: 'this server answers only through its TLS proxy (HTTPS from a --trust-proxy address)',
      },
    });
  });
}
