import type { FastifyInstance } from 'fastify';
import { atLeast, type Role } from '../auth/accounts.js';
import type { Session } from '../auth/sessions.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The least account role a signed-in user needs for this route. Undeclared: `viewer` for
     * GET (reading), `member` for anything else (a change): deny by default, so a new
     * state-changing route is closed to viewers until it says otherwise.
     */
    minRole?: Role;
  }
  interface FastifyRequest {
    /** The signed-in account's role, set for every route that needs a signed-in user. */
    role?: Role;
  }
}

/** The role a route needs from a signed-in user (see FastifyContextConfig.minRole). */
export const neededRole = (method: string, minRole: Role | undefined): Role =>
  minRole ?? (method === 'GET' || method === 'HEAD' ? 'viewer' : 'member');

export const roleTooLow = (needed: Role) => ({
  error: {
    code: 'ROLE_FORBIDDEN',
    message:
      needed === 'admin'
        ? 'only an administrator can do this'
        : 'your account can only view what is shared with it; ask an administrator for a member account to upload or change data',
  },
});

/**
 * Account roles, checked after the session (registerAccessControl) and before the handler: a
 * signed-in user whose account role is below the route's gets 403 ROLE_FORBIDDEN, whatever the
 * dataset id (so it says nothing about which ids exist). What a user may do with one dataset
 * (owner, editor, viewer) is the dataset ACL's (datasets/acl.ts).
 */
export function registerRoleCheck(app: FastifyInstance, o: { role: (s: Session) => Role }): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url === undefined || !request.session) return;
    const role = o.role(request.session);
    request.role = role;
    const needed = neededRole(request.method, request.routeOptions.config.minRole);
    if (!atLeast(role, needed)) return reply.code(403).send(roleTooLow(needed));
  });
}
