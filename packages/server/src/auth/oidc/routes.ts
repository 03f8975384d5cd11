import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ZodApp } from '../../app-types.js';
import { noteForAudit } from '../../audit/record.js';
import type { Clock } from '../../options.js';
import { cookieName } from '../../security/access.js';
import { setSessionCookie } from '../routes.js';
import type { SessionStore } from '../sessions.js';
import { LOGIN_STATE_TTL_MS, loginStateCookie, type LoginStateSealer } from './login-state.js';
import { CALLBACK_PATH, LOGIN_PATH } from './options.js';
import type { Provisioner } from './provision.js';
import { type FailureReason, type RelyingParty, SignInFailure } from './relying-party.js';
import { HOME_PATH, safeReturnPath } from './return-path.js';

/** What the person is told; static text only, never anything from the request or the provider. */
const EXPLAIN: Record<FailureReason, string> = {
  login_state_missing:
    'This sign-in was not started in this browser, or took longer than 10 minutes. Start again.',
  state_mismatch: 'This answer from the sign-in provider belongs to another sign-in. Start again.',
  provider_error: 'The sign-in provider did not sign you in (cancelled or refused).',
  code_rejected: 'The sign-in provider refused this sign-in (it was already used, or expired). Start again.',
  issuer_mismatch: 'The answer did not come from the configured sign-in provider.',
  audience_mismatch: 'The sign-in provider issued this proof for another application.',
  nonce_mismatch: 'The proof of sign-in does not belong to this sign-in.',
  token_expired: 'The proof of sign-in has expired (or the clocks of the two servers differ).',
  algorithm_refused: 'The proof of sign-in is not signed with an accepted algorithm.',
  signature_invalid: 'The signature of the proof of sign-in is not valid.',
  token_invalid: 'The proof of sign-in is not valid.',
  provider_unreachable: 'The sign-in provider cannot be reached. Try again later.',
  account_disabled: 'Your account is disabled. Ask an administrator.',
  account_missing: 'Your account no longer exists. Ask an administrator.',
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function failurePage(reply: FastifyReply, f: SignInFailure) {
  const text = escapeHtml(EXPLAIN[f.reason]);
  return reply
    .code(f.status)
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Sign-in failed · Tidyvault</title></head>` +
        `<body><h1>Sign-in failed</h1><p data-reason="${f.reason}">${text}</p>` +
        `<p><a href="/">Back to Tidyvault</a></p></body></html>\n`,
    );
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The query string of the request as sent (openid-client reads the parameters from it). */
function rawQuery(request: FastifyRequest): string {
  const i = request.url.indexOf('?');
  return i < 0 ? '' : request.url.slice(i);
}

/**
 * `GET /auth/oidc/login` starts a sign-in at the provider; `GET /auth/oidc/callback` is where the
 * provider sends the browser back. Both are public (there is no session yet); the callback is
 * audited as a sign-in (`login` / `login_failed`, with the reason as the record's target).
 */
export function oidcRoutes(
  app: ZodApp,
  o: {
    rp: RelyingParty;
    provisioner: Provisioner;
    sessions: SessionStore;
    sealer: LoginStateSealer;
    secure: boolean;
    sessionAbsoluteMs: number;
    clock: Clock;
    /** The exact redirect URI registered at the provider. */
    redirectUrl: () => string;
  },
): void {
  const stateCookie = loginStateCookie(o.secure);
  const sessionCookie = cookieName(o.secure);
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: o.secure };

  app.get(
    LOGIN_PATH,
    {
      config: { access: 'public' },
      schema: {
        summary:
          'Start single sign-on: sets a short-lived sealed cookie (state, nonce, PKCE verifier) and redirects to the provider. `next`: a path on this server to land on afterwards (anything else lands on /)',
        querystring: z.object({ next: z.string().max(2048).optional() }),
      },
    },
    async (request, reply) => {
      let start;
      try {
        start = await o.rp.authorizationRequest(o.redirectUrl());
      } catch (e) {
        const f =
          e instanceof SignInFailure ? e : new SignInFailure('provider_unreachable', 'discovery failed');
        request.log.warn(
          { op: 'auth.oidc.start', result: 'failed', reason: f.reason },
          'sign-in not started',
        );
        return failurePage(reply, f);
      }
      const sealed = o.sealer.seal({
        state: start.state,
        nonce: start.nonce,
        verifier: start.verifier,
        next: safeReturnPath(request.query.next),
        expiresAt: o.clock() + LOGIN_STATE_TTL_MS,
      });
      reply.setCookie(stateCookie, sealed, { ...cookieOptions, maxAge: LOGIN_STATE_TTL_MS / 1000 });
      return reply.redirect(start.url.href, 303);
    },
  );

  app.get(
    CALLBACK_PATH,
    {
      config: { access: 'public' },
      schema: {
        summary:
          "The provider's redirect back: checks state, code (PKCE), ID token (issuer, audience, expiry, nonce, signature), then signs in the account of (issuer, subject) with a new session and redirects to the sign-in's `next`. 400/401/403/502 with a page saying why",
        querystring: z.object({
          state: z.string().max(1024).optional(),
          code: z.string().max(4096).optional(),
          iss: z.string().max(2048).optional(),
          error: z.string().max(256).optional(),
        }),
      },
    },
    async (request, reply) => {
      // The sealed cookie serves one callback: it is cleared whatever happens.
      const pending = o.sealer.open(request.cookies[stateCookie], o.clock());
      reply.clearCookie(stateCookie, cookieOptions);
      try {
        if (!pending) throw new SignInFailure('login_state_missing', 'no sign-in state');
        // Checked here before anything is sent to the provider (openid-client checks it again).
        const state = request.query.state;
        if (state === undefined || !sameText(state, pending.state))
          throw new SignInFailure('state_mismatch', 'state differs');
        const callbackUrl = new URL(o.redirectUrl() + rawQuery(request));
        const identity = await o.rp.finish(callbackUrl, pending);
        const { account, created } = await o.provisioner.signIn(identity);
        // Rotation: whatever session this browser had ends; the new one has a new id.
        o.sessions.destroyToken(request.cookies[sessionCookie]);
        const { token } = o.sessions.create(account.name, account.generation, {
          idToken: identity.idToken,
          // Never later than now: a provider's clock ahead of ours must not make it fresher.
          authAt: Math.min(identity.authTime ?? 0, o.clock()),
        });
        setSessionCookie(reply, o, token);
        noteForAudit(request, { user: account.name, target: created ? 'oidc:account_created' : 'oidc' });
        request.log.info(
          { op: 'auth.login', result: 'ok', user: account.name, via: 'oidc', created },
          'signed in with single sign-on',
        );
        return reply.redirect(safeReturnPath(pending.next) || HOME_PATH, 303);
      } catch (e) {
        if (!(e instanceof SignInFailure)) throw e;
        noteForAudit(request, { target: `oidc:${e.reason}` });
        // The reason code only: never a token, code, claim or the provider's own words.
        request.log.info(
          { op: 'auth.login', result: 'failed', via: 'oidc', reason: e.reason },
          'sign-in failed',
        );
        return failurePage(reply, e);
      }
    },
  );
}
