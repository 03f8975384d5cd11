import type { ZodApp } from '../app-types.js';
import { MINUTE, type ResolvedOptions } from '../options.js';
import type { Role } from './accounts.js';
import { localAuthRoutes } from './local.js';
import { prepareOidc } from './oidc/prepare.js';
import { dummyHash } from './passwords.js';
import { authRoutes } from './routes.js';
import { OneTimeToken, type Session, type SessionStore } from './sessions.js';
import { LoginThrottle } from './throttle.js';

/** How long the first-administrator setup token printed at start stays valid. */
export const SETUP_TOKEN_TTL_MS = 15 * MINUTE;

/** Made once per process (~0.1 s): the hash an unknown username's password is checked against. */
let dummyOnce: Promise<string> | undefined;

export interface Auth {
  mode: 'single' | 'local' | 'oidc';
  /** For the session store: does the session's account still allow it? (local mode) */
  sessionValid: ((s: Session) => boolean) | undefined;
  /** Registers /auth/token (single), /api/auth/login and /setup (local), /me, /logout, /mode. */
  routes: (
    app: ZodApp,
    sessions: SessionStore,
    datasets: { purgeOwned: (user: string) => Promise<number> },
  ) => void;
  /** The single-user login link's token (each call kills the previous one). Throws in local mode. */
  issueLoginToken: () => string;
  /** Local mode with no enabled administrator: a one-time setup token valid 15 minutes; else undefined. */
  issueSetupToken: () => string | undefined;
  sweep: () => void;
  /** The signed-in account's role (single-user mode: admin, the one user). */
  role: (s: Session) => Role;
  /**
   * Who a dataset can be shared with: the role of an enabled account, undefined for an unknown
   * or disabled one. Undefined in single-user mode, where there is no one to share with.
   */
  shareable: ((name: string) => Role | undefined) | undefined;
  /** The sign-in provider's hosts, which the server connects to (single sign-on only). */
  providerHosts: () => string[];
}

/** The sign-in mode's parts: single-user login link, or local accounts with passwords. */
export async function prepareAuth(o: ResolvedOptions): Promise<Auth> {
  const loginToken = new OneTimeToken();
  const setupToken = new OneTimeToken({ clock: o.clock, ttlMs: SETUP_TOKEN_TTL_MS });
  if ((o.auth === 'local' || o.auth === 'oidc') && !o.accounts)
    throw new Error(`auth '${o.auth}' needs the accounts`);
  // The accounts of users.json: signed in with passwords (local) or by single sign-on (oidc).
  const local = o.auth === 'local' || o.auth === 'oidc' ? o.accounts : undefined;
  const oidc = o.auth === 'oidc' && local ? prepareOidc(o, local) : undefined;
  const throttle = new LoginThrottle({ clock: o.clock, ...o.loginThrottle });
  const dummy = o.auth === 'local' ? await (dummyOnce ??= dummyHash()) : '';
  let log: ZodApp['log'] | undefined;
  const role = (s: Session): Role => (local ? (local.get(s.user)?.role ?? 'viewer') : 'admin');

  return {
    mode: o.auth,
    sessionValid: local
      ? (s) => {
          try {
            const a = local.get(s.user);
            return a !== undefined && !a.disabled && a.generation === s.generation;
          } catch (e) {
            // An unreadable accounts file signs everyone out rather than trusting old copies.
            log?.error(
              { op: 'accounts.read', code: (e as { code?: string }).code },
              'accounts file unreadable',
            );
            return false;
          }
        }
      : undefined,
    routes: (app, sessions, datasets) => {
      log = app.log;
      authRoutes(app, {
        mode: o.auth,
        purgeOwned: datasets.purgeOwned,
        ...(oidc ? { endSessionUrl: oidc.endSessionUrl } : {}),
        ...(oidc ? { provider: oidc.providerName } : {}),
        sessions,
        loginToken,
        secure: o.secure,
        sessionAbsoluteMs: o.sessionAbsoluteMs,
        role,
        setupPending: () => setupToken.live,
      });
      if (local && o.auth === 'local')
        localAuthRoutes(app, {
          accounts: local,
          sessions,
          throttle,
          setupToken,
          dummyHash: dummy,
          secure: o.secure,
          sessionAbsoluteMs: o.sessionAbsoluteMs,
          clock: o.clock,
        });
      oidc?.routes(app, sessions);
    },
    issueLoginToken: () => {
      if (local) throw new Error('there is no login link with local accounts');
      return loginToken.issue();
    },
    issueSetupToken: () =>
      o.auth === 'local' && local && !local.hasAdmin() ? setupToken.issue() : undefined,
    sweep: () => throttle.sweep(),
    providerHosts: () => oidc?.hosts() ?? [],
    role,
    shareable: local
      ? (name) => {
          const a = local.get(name);
          return a && !a.disabled ? a.role : undefined;
        }
      : undefined,
  };
}
