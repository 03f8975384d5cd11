import { z } from 'zod';
import type { ZodApp } from '../app-types.js';
import { errorSchema } from '../errors.js';
import { cookieName } from '../security/access.js';
import { CSRF_HEADER } from '../security/csrf.js';
import type { FastifyReply } from 'fastify';
import { ROLES, type Role } from './accounts.js';
import { LOGIN_PATH } from './oidc/options.js';
import type { OneTimeToken, Session, SessionStore } from './sessions.js';

/** What a browser shows for a login link that was used already (each works once). */
const USED_LINK_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tidyvault: sign-in link already used</title></head>
<body><h1>This sign-in link was already used, or is not valid</h1>
<p>Each link printed by <code>tidyvault serve</code> (or <code>npm start</code>) works once.</p>
<p>If this browser signed in with it, <a href="/">open the workbench</a>. Otherwise restart the
server to print a new link: a single-user server has no other way in.</p></body></html>
`;

/** The only account in single-user mode. */
export const LOCAL_USER = 'local';

/**
 * `single`: one user, signed in by the one-time link; `local`: accounts with passwords; `oidc`:
 * accounts signed in by single sign-on (OpenID Connect).
 */
export type AuthMode = 'single' | 'local' | 'oidc';

/** The session cookie: HttpOnly, SameSite=Lax, Secure (and `__Host-`) under HTTPS. */
export function setSessionCookie(
  reply: FastifyReply,
  o: { secure: boolean; sessionAbsoluteMs: number },
  token: string,
): void {
  reply.setCookie(cookieName(o.secure), token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: o.secure,
    maxAge: Math.floor(o.sessionAbsoluteMs / 1000),
  });
}

export function authRoutes(
  app: ZodApp,
  o: {
    mode: AuthMode;
    /** oidc: the provider's name for the sign-in button. */
    provider?: string;
    sessions: SessionStore;
    loginToken: OneTimeToken;
    secure: boolean;
    sessionAbsoluteMs: number;
    /** The signed-in user's role (single-user mode: admin). */
    role: (s: Session) => Role;
    /** A first-administrator setup token is live (local mode). */
    setupPending: () => boolean;
    /** Purges every dataset the user owns; how many. */
    purgeOwned: (user: string) => Promise<number>;
    /** Single sign-on: where to end the session at the provider too (undefined: it has no such endpoint). */
    endSessionUrl?: (idToken: string) => Promise<URL | undefined>;
  },
): void {
  const name = cookieName(o.secure);

  app.get(
    '/api/auth/mode',
    {
      config: { access: 'public' },
      schema: {
        summary:
          'How to sign in: `single` (the one-time link printed at start), `local` (POST /api/auth/login) or `oidc` (single sign-on: GET /auth/oidc/login; `provider` names it); `setup`: a first-administrator setup token is live (POST /api/auth/setup)',
        response: {
          200: z.object({
            mode: z.enum(['single', 'local', 'oidc']),
            setup: z.boolean(),
            provider: z.string().optional(),
          }),
        },
      },
    },
    async () => ({
      mode: o.mode,
      setup: o.mode === 'local' && o.setupPending(),
      ...(o.provider !== undefined ? { provider: o.provider } : {}),
    }),
  );

  // DESIGN.md lists the password sign-in for every server: where there are no passwords it says
  // how to sign in instead, rather than a bare 404.
  if (o.mode !== 'local') {
    app.post(
      '/api/auth/login',
      {
        config: { access: 'public' },
        schema: {
          summary:
            'Password sign-in, on a server started with --auth local only: here 400 PASSWORD_LOGIN_UNAVAILABLE, saying how this server signs in (GET /api/auth/mode)',
          response: { 400: errorSchema },
        },
      },
      async (_request, reply) =>
        reply.code(400).send({
          error: {
            code: 'PASSWORD_LOGIN_UNAVAILABLE',
            message:
              o.mode === 'single'
                ? 'this server runs in single-user mode: sign in with the one-time link `tidyvault serve` printed when it started'
                : `this server signs in with single sign-on: open ${LOGIN_PATH}`,
          },
        }),
    );
  }

  // The login link exists in single-user mode only; with accounts it is a 404.
  if (o.mode === 'single') {
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
          // A person who opens the link again (a refresh, a chat app's preview took it) reads why.
          if (/\btext\/html\b/.test(request.headers.accept ?? ''))
            // Sent as is (not JSON): the route's 401 schema describes the API's answer only.
            return reply
              .code(401)
              .type('text/html; charset=utf-8')
              .send(USED_LINK_PAGE as unknown as z.infer<typeof errorSchema>);
          return reply.code(401).send({
            error: { code: 'LOGIN_LINK_INVALID', message: 'this login link is invalid or was already used' },
          });
        }
        o.sessions.destroyToken(request.cookies[name]);
        const { token } = o.sessions.create(LOCAL_USER);
        request.log.info({ op: 'auth.login' }, 'signed in with the login link');
        setSessionCookie(reply, o, token);
        return reply.redirect('/', 303);
      },
    );
  }

  app.get(
    '/api/auth/me',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Who is signed in, and the CSRF token every state change must send',
        response: {
          200: z.object({
            user: z.string(),
            role: z.enum(ROLES),
            csrfToken: z.string(),
            csrfHeader: z.string(),
          }),
        },
      },
    },
    async (request) => {
      const s = request.session!;
      return { user: s.user, role: o.role(s), csrfToken: o.sessions.csrfToken(s), csrfHeader: CSRF_HEADER };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { access: 'user', minRole: 'viewer', unmetered: true },
      schema: {
        summary:
          'End the session and delete every dataset the user owns, at once; `{"purge": false}` keeps them',
        description:
          'Datasets are purged on sign-out unless the body says `{"purge": false}` (for instance, to keep working on them in another session until they expire). Purged datasets are gone for everyone they were shared with too, and for the same user signed in elsewhere; each purge is in the audit log (`logout_purge`). A single sign-on session whose provider has an end-session endpoint gets 200 with `endSessionUrl`: send the browser there to sign out of the provider too; otherwise 204.',
        body: z.object({ purge: z.boolean().optional() }).strict().nullish(),
        response: { 200: z.object({ endSessionUrl: z.string() }), 204: z.null().describe('Signed out') },
      },
    },
    async (request, reply) => {
      const s = request.session!;
      // Before the session ends: if purging fails, the user is still signed in to see it and retry.
      const purged = request.body?.purge === false ? 0 : await o.purgeOwned(s.user);
      o.sessions.destroy(s);
      request.log.info({ op: 'auth.logout', purged }, 'signed out');
      reply.clearCookie(name, { path: '/', httpOnly: true, sameSite: 'lax', secure: o.secure });
      reply.header('clear-site-data', '"cache", "cookies", "storage"');
      const end = s.idToken && o.endSessionUrl ? await o.endSessionUrl(s.idToken) : undefined;
      if (end) return reply.code(200).send({ endSessionUrl: end.href });
      return reply.code(204).send(null);
    },
  );
}
