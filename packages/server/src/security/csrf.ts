import type { FastifyInstance } from 'fastify';
import { sameSecret, type SessionStore } from '../auth/sessions.js';

export const CSRF_HEADER = 'x-tidyvault-csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const refuse = (code: string, message: string) => ({ error: { code, message } });

/**
 * Every state change needs a same-origin (or user-initiated) fetch per Sec-Fetch-Site and an
 * Origin equal to this server's when one is sent — the public ones too (sign-in and setup, so a
 * cross-site page cannot sign the browser into another account); on a signed-in route also the
 * session's CSRF token in `x-tidyvault-csrf`. Runs after the access hook, so unauthenticated
 * requests to signed-in routes get 401.
 */
export function registerCsrf(app: FastifyInstance, o: { sessions: SessionStore }): void {
  app.addHook('onRequest', async (request, reply) => {
    if (SAFE_METHODS.has(request.method)) return;
    // No matched route: the 404 handler answers (nothing to protect).
    if (request.routeOptions.url === undefined) return;
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return reply.code(403).send(refuse('CSRF_CROSS_SITE', 'cross-site requests cannot change anything'));
    }
    const origin = request.headers.origin;
    if (origin !== undefined) {
      const expected = `${request.protocol}://${request.headers.host ?? ''}`.toLowerCase();
      if (origin.toLowerCase() !== expected) {
        return reply.code(403).send(refuse('CSRF_ORIGIN', 'the request comes from another origin'));
      }
    }
    if (!request.session) return;
    const token = request.headers[CSRF_HEADER];
    if (typeof token !== 'string' || !sameSecret(token, o.sessions.csrfToken(request.session))) {
      return reply
        .code(403)
        .send(refuse('CSRF_TOKEN', `missing or wrong ${CSRF_HEADER} header (see GET /api/auth/me)`));
    }
  });
}
