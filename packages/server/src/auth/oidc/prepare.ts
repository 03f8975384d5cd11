import type { ZodApp } from '../../app-types.js';
import type { ResolvedOptions } from '../../options.js';
import type { Accounts } from '../accounts.js';
import type { SessionStore } from '../sessions.js';
import { OidcIdentities } from './identities.js';
import { LoginStateSealer } from './login-state.js';
import { CALLBACK_PATH, oidcOptionsProblem } from './options.js';
import { Provisioner } from './provision.js';
import { RelyingParty, SignInFailure } from './relying-party.js';
import { oidcRoutes } from './routes.js';

export interface OidcAuth {
  /** Shown on the web app's button: "Sign in with …". */
  providerName: string;
  routes: (app: ZodApp, sessions: SessionStore) => void;
  /** Where to end a signed-out session's sign-in at the provider too, if it says. */
  endSessionUrl: (idToken: string) => Promise<URL | undefined>;
  /** The provider's hosts (the issuer's, and its endpoints' once discovered). */
  hosts: () => string[];
}

/** The address the app listens on, as the default redirect URI (loopback use only: see settings). */
function boundCallback(app: ZodApp, secure: boolean): string {
  const a = app.server.address();
  if (!a || typeof a === 'string') throw new Error('the server is not listening yet');
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `${secure ? 'https' : 'http'}://${host}:${a.port}${CALLBACK_PATH}`;
}

/** `auth: 'oidc'`: single sign-on with one provider, onto the accounts of users.json. */
export function prepareOidc(o: ResolvedOptions, accounts: Accounts): OidcAuth {
  if (!o.oidc) throw new Error("auth 'oidc' needs the oidc options");
  const problem = oidcOptionsProblem(o.oidc, o.secure);
  if (problem) throw new Error(`single sign-on: ${problem}`);
  const oidc = o.oidc;
  const rp = new RelyingParty(oidc);
  const provisioner = new Provisioner({
    accounts,
    identities: new OidcIdentities(accounts.home, o.clock),
    adminSubjects: new Set(oidc.adminSubjects ?? []),
  });
  return {
    providerName: oidc.providerName ?? rp.issuer.hostname,
    endSessionUrl: (idToken) => rp.endSessionUrl(idToken),
    hosts: () => rp.hosts(),
    routes: (app, sessions) => {
      oidcRoutes(app, {
        rp,
        provisioner,
        sessions,
        sealer: new LoginStateSealer(o.secretKey),
        secure: o.secure,
        sessionAbsoluteMs: o.sessionAbsoluteMs,
        clock: o.clock,
        redirectUrl: () => oidc.redirectUrl ?? boundCallback(app, o.secure),
      });
      // Discovery at start, so a wrong issuer shows in the log before anyone tries to sign in;
      // a failure here is retried at the first sign-in.
      app.addHook('onReady', async () => {
        rp.discover().then(
          () => app.log.info({ op: 'auth.oidc.discovery', result: 'ok' }, 'sign-in provider found'),
          (e: unknown) =>
            app.log.warn(
              {
                op: 'auth.oidc.discovery',
                result: 'failed',
                reason: e instanceof SignInFailure ? e.reason : 'error',
              },
              'sign-in provider not reachable yet; retried at the first sign-in',
            ),
        );
      });
    },
  };
}
