import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../auth/accounts.js';
import type { Session, SessionStore } from '../auth/sessions.js';

/** What a route needs: `public` (health, login link, API description) or a signed-in `user`. */
export type Access = 'public' | 'user';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    session?: Session;
  }
}

export interface RouteInfo {
  method: string;
  url: string;
  access: Access | undefined;
  /** The least account role it declares (see security/roles.ts), if any. */
  minRole?: Role | undefined;
}

/**
 * Session cookie name. With HTTPS it is `__Host-tidyvault-sid` (Secure, Path=/, no Domain: the
 * browser enforces all three). On plain-http loopback a Secure cookie would not be sent back, and
 * a `__Host-` cookie must be Secure, so the name there is `tidyvault-sid`.
 */
export const cookieName = (secure: boolean): string => (secure ? '__Host-tidyvault-sid' : 'tidyvault-sid');

const unauthenticated = (reply: FastifyReply) =>
  reply.code(401).send({ error: { code: 'UNAUTHENTICATED', message: 'sign in first' } });

/**
 * Deny by default: every route must declare `config.access`. The hook records each route (for
 * the test that walks them all) and refuses any request to a route that declares nothing.
 */
export function registerAccessControl(
  app: FastifyInstance,
  o: { sessions: SessionStore; secure: boolean },
): RouteInfo[] {
  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const method of methods)
      routes.push({ method, url: r.url, access: r.config?.access, minRole: r.config?.minRole });
  });
  const name = cookieName(o.secure);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    // No matched route: the 404 handler answers (nothing to protect).
    if (request.routeOptions.url === undefined) return;
    const access = request.routeOptions.config.access;
    if (access === 'public') return;
    if (access !== 'user') {
      return reply
        .code(403)
        .send({ error: { code: 'ACCESS_UNDECLARED', message: 'this route declares no access rule' } });
    }
    const session = o.sessions.lookup(request.cookies[name]);
    if (!session) return unauthenticated(reply);
    request.session = session;
  });
  return routes;
}
