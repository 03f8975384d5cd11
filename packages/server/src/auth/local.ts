import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../options.js';
import type { ZodApp } from '../app-types.js';
import { errorSchema } from '../errors.js';
import { cookieName } from '../security/access.js';
import { CSRF_HEADER } from '../security/csrf.js';
import {
  Accounts,
  AccountsError,
  type Account,
  normaliseUsername,
  ROLES,
  usernameProblem,
} from './accounts.js';
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from './passwords.js';
import { setSessionCookie } from './routes.js';
import type { OneTimeToken, SessionStore } from './sessions.js';
import type { LoginThrottle } from './throttle.js';

/** Room for a 1024-character password of 4-byte characters, JSON-escaped, and a username. */
const AUTH_BODY_LIMIT = 16 * 1024;

const credentials = {
  username: z.string().min(1).max(256),
  // Characters as JavaScript counts them (UTF-16 units): 1024 code points fit in 2048.
  password: z.string().min(1).max(2048),
};

const signedIn = z.object({
  user: z.string(),
  role: z.enum(ROLES),
  csrfToken: z.string(),
  csrfHeader: z.string(),
});

const LOGIN_FAILED = {
  error: { code: 'LOGIN_FAILED', message: 'wrong username or password' },
} as const;

const SETUP_TOKEN_INVALID = {
  error: {
    code: 'SETUP_TOKEN_INVALID',
    message: 'this setup token is wrong, expired or already used; restart the server for a new one',
  },
} as const;

function throttled(reply: FastifyReply, ms: number) {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  reply.header('retry-after', String(seconds));
  return reply.code(429).send({
    error: { code: 'LOGIN_THROTTLED', message: `too many sign-in attempts; try again in ${seconds} s` },
  });
}

/**
 * Local accounts: `POST /api/auth/login`, and `POST /api/auth/setup` for the first
 * administrator (with the one-time token `tidyvault serve` prints while none exists).
 */
export function localAuthRoutes(
  app: ZodApp,
  o: {
    accounts: Accounts;
    sessions: SessionStore;
    throttle: LoginThrottle;
    setupToken: OneTimeToken;
    /** A hash at the policy's parameters, verified when the username is unknown. */
    dummyHash: string;
    secure: boolean;
    sessionAbsoluteMs: number;
    clock: Clock;
  },
): void {
  const cookie = cookieName(o.secure);

  /**
   * The password check of sign-in and re-authentication: throttled per name and address, one
   * argon2id verification whether or not the name exists. `whileHeld` runs on success before
   * the throttle's slot is released (a rehash costs as much again).
   */
  const checkPassword = async (
    name: string,
    password: string,
    address: string,
    whileHeld?: (account: Account) => Promise<void>,
  ): Promise<{ throttledMs: number } | { account: Account | undefined }> => {
    const slot = await o.throttle.admit();
    if (!slot.ok) return { throttledMs: slot.retryAfterMs };
    try {
      const wait = o.throttle.begin(name, address);
      if (wait > 0) return { throttledMs: wait };
      const account = o.accounts.get(name);
      const ok = await verifyPassword(account?.passwordHash ?? o.dummyHash, password);
      if (!account || account.disabled || !ok) return { account: undefined };
      o.throttle.succeeded(name, address);
      await whileHeld?.(account);
      return { account };
    } finally {
      slot.release();
    }
  };

  app.post(
    '/api/auth/login',
    {
      config: { access: 'public' },
      bodyLimit: AUTH_BODY_LIMIT,
      schema: {
        summary:
          'Sign in with a local account: sets a new session cookie (the previous session, if any, ends). 401 LOGIN_FAILED whatever was wrong; 429 LOGIN_THROTTLED with Retry-After',
        body: z.object(credentials),
        response: { 200: signedIn, 401: errorSchema, 429: errorSchema },
      },
    },
    async (request, reply) => {
      const name = normaliseUsername(request.body.username);
      const { password } = request.body;
      const address = request.ip;
      const checked = await checkPassword(name, password, address, async (account) => {
        if (!needsRehash(account.passwordHash)) return;
        const stronger = await hashPassword(password);
        if (o.accounts.replaceHash(name, account.passwordHash, stronger))
          request.log.info({ op: 'auth.rehash', user: name }, 'password hash upgraded to the policy');
      });
      if ('throttledMs' in checked) {
        request.log.info({ op: 'auth.login', result: 'throttled' }, 'sign-in throttled');
        return throttled(reply, checked.throttledMs);
      }
      const account = checked.account;
      if (!account) {
        // Never the attempted username: it may be a password typed in the wrong field.
        request.log.info({ op: 'auth.login', result: 'failed' }, 'sign-in failed');
        return reply.code(401).send(LOGIN_FAILED);
      }
      // Rotation: whatever session the browser had ends; the new one has a new id.
      o.sessions.destroyToken(request.cookies[cookie]);
      const { token, session } = o.sessions.create(name, account.generation);
      setSessionCookie(reply, o, token);
      request.log.info({ op: 'auth.login', result: 'ok', user: name }, 'signed in');
      return {
        user: name,
        role: account.role,
        csrfToken: o.sessions.csrfToken(session),
        csrfHeader: CSRF_HEADER,
      };
    },
  );

  app.post(
    '/api/auth/reauth',
    {
      config: { access: 'user', minRole: 'viewer' },
      bodyLimit: AUTH_BODY_LIMIT,
      schema: {
        summary:
          "Prove it is still you: your password again, for what needs a recent sign-in (an administrator's break-glass). 401 REAUTH_FAILED; 429 LOGIN_THROTTLED with Retry-After",
        body: z.strictObject({ password: credentials.password }),
        response: { 204: z.null().describe('Re-authenticated'), 401: errorSchema, 429: errorSchema },
      },
    },
    async (request, reply) => {
      const s = request.session!;
      const checked = await checkPassword(s.user, request.body.password, request.ip);
      if ('throttledMs' in checked) return throttled(reply, checked.throttledMs);
      if (!checked.account) {
        request.log.info({ op: 'auth.reauth', result: 'failed' }, 're-authentication failed');
        return reply
          .code(401)
          .send({ error: { code: 'REAUTH_FAILED', message: 'that is not your password' } });
      }
      s.authAt = o.clock();
      request.log.info({ op: 'auth.reauth', result: 'ok' }, 're-authenticated');
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/auth/setup',
    {
      config: { access: 'public' },
      bodyLimit: AUTH_BODY_LIMIT,
      schema: {
        summary:
          'Create the first administrator with the one-time setup token printed by `tidyvault serve` (valid 15 minutes, only while no administrator exists); signs them in',
        body: z.object({ token: z.string().min(1).max(200), ...credentials }),
        response: { 201: signedIn, 400: errorSchema, 401: errorSchema, 409: errorSchema, 429: errorSchema },
      },
    },
    async (request, reply) => {
      const slot = await o.throttle.admit();
      if (!slot.ok) return throttled(reply, slot.retryAfterMs);
      try {
        const { token, password } = request.body;
        if (!o.setupToken.matches(token)) {
          request.log.info({ op: 'auth.setup', result: 'bad-token' }, 'setup token refused');
          return reply.code(401).send(SETUP_TOKEN_INVALID);
        }
        if (o.accounts.hasAdmin()) {
          o.setupToken.revoke();
          return reply.code(409).send({
            error: { code: 'SETUP_DONE', message: 'an administrator exists already; sign in instead' },
          });
        }
        const name = normaliseUsername(request.body.username);
        const bad = usernameProblem(name);
        if (bad)
          return reply.code(400).send({ error: { code: 'BAD_USERNAME', message: bad, field: 'username' } });
        const weak = passwordProblem(password);
        if (weak)
          return reply.code(400).send({ error: { code: 'BAD_PASSWORD', message: weak, field: 'password' } });
        if (o.accounts.get(name))
          return reply.code(409).send({
            error: {
              code: 'USER_EXISTS',
              message: `a user named "${name}" already exists`,
              field: 'username',
            },
          });
        // Used up before the (slow) hash, so two requests cannot both spend it.
        if (!o.setupToken.consume(token)) return reply.code(401).send(SETUP_TOKEN_INVALID);
        let account;
        try {
          account = await o.accounts.add(name, password, 'admin');
        } catch (e) {
          if (e instanceof AccountsError && e.code === 'USER_EXISTS')
            return reply.code(409).send({ error: { code: e.code, message: e.message, field: 'username' } });
          throw e;
        }
        o.sessions.destroyToken(request.cookies[cookie]);
        const { token: sid, session } = o.sessions.create(name, account.generation);
        setSessionCookie(reply, o, sid);
        request.log.info({ op: 'auth.setup', result: 'ok', user: name }, 'first administrator created');
        return reply.code(201).send({
          user: name,
          role: account.role,
          csrfToken: o.sessions.csrfToken(session),
          csrfHeader: CSRF_HEADER,
        });
      } finally {
        slot.release();
      }
    },
  );
}
