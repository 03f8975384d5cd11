import { z } from 'zod';
import type { ZodApp } from '../app-types.js';
import { errorSchema } from '../errors.js';
import { cookieName } from '../security/access.js';
import { CSRF_HEADER } from '../security/csrf.js';
import type { OneTimeToken, SessionStore } from './sessions.js';

/** The only account in single-user mode. */
export const LOCAL_USER = 'local';

export function authRoutes(
  app: ZodApp,
  o: { sessions: SessionStore; loginToken: OneTimeToken; secure: boolean; sessionAbsoluteMs: number },
): void {
  const name = cookieName(o.secure);

  app.get(
    '/auth/token',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Exchange the one-time login link for a session cookie',
        querystring: z.object({ token: z.string().min(1).max(200) }),
        response: { 401: errorSchema },
      },
    },
    async (request, reply) => {
      if (!o.loginToken.consume(request.query.token)) {
        return reply.code(401).send({
          error: { code: 'LOGIN_LINK_INVALID', message: 'this login link is invalid or was already used' },
        });
      }
      const { token } = o.sessions.create(LOCAL_USER);
      request.log.info({ op: 'auth.login' }, 'signed in with the login link');
      reply.setCookie(name, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: o.secure,
        maxAge: Math.floor(o.sessionAbsoluteMs / 1000),
      });
      return reply.redirect('/', 303);
    },
  );

  app.get(
    '/api/auth/me',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Who is signed in, and the CSRF token every state change must send',
        response: {
          200: z.object({ user: z.string(), csrfToken: z.string(), csrfHeader: z.string() }),
        },
      },
    },
    async (request) => {
      const s = request.session!;
      return { user: s.user, csrfToken: o.sessions.csrfToken(s), csrfHeader: CSRF_HEADER };
    },
  );

  app.post(
    '/api/auth/logout',
    { config: { access: 'user' }, schema: { summary: 'End the session' } },
    async (request, reply) => {
      o.sessions.destroy(request.session!);
      request.log.info({ op: 'auth.logout' }, 'signed out');
      reply.clearCookie(name, { path: '/', httpOnly: true, sameSite: 'lax', secure: o.secure });
      reply.header('clear-site-data', '"cache", "cookies", "storage"');
      return reply.code(204).send();
    },
  );
}
