import { isLoopback } from '../../listen.js';
import type { SecretValue } from './client-secret.js';

/** Where the provider sends the browser back, on this server. */
export const CALLBACK_PATH = '/auth/oidc/callback';
/** Where the web app's "Sign in with …" link goes. */
export const LOGIN_PATH = '/auth/oidc/login';

export const DEFAULT_SCOPES: readonly string[] = ['openid', 'email', 'profile'];

/** Single sign-on with one OpenID Connect provider (`tidyvault serve --auth oidc`). */
export interface OidcOptions {
  /** The provider's issuer identifier, exactly as its discovery document states it. */
  issuer: string;
  clientId: string;
  /** The client secret; none for a public client (PKCE only). Never logged, never sent to a browser. */
  clientSecret?: SecretValue;
  /**
   * The exact redirect URI registered at the provider, ending in /auth/oidc/callback. Default:
   * the address this server listens on (fine on loopback; anything else must set it).
   */
  redirectUrl?: string;
  /** Default openid, email, profile; must include openid. */
  scopes?: string[];
  /** Shown on the sign-in button ("Sign in with …"); default: the issuer's host name. */
  providerName?: string;
  /** Subjects (`sub`) of this provider whose account is made an administrator when first created. */
  adminSubjects?: string[];
  /** Seconds a request to the provider may take (default 10). */
  timeoutSeconds?: number;
}

/** Plain http only for a provider on this machine (a test or development provider). */
export function insecureIssuerAllowed(issuer: URL): boolean {
  const host = issuer.hostname.replace(/^\[(.*)\]$/, '$1');
  return issuer.protocol === 'http:' && isLoopback(host);
}

export function issuerProblem(raw: string): string | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'must be a URL such as https://login.example.com/realms/main';
  }
  if (u.search !== '' || u.hash !== '') return 'must have no query or fragment';
  if (u.protocol !== 'https:' && !insecureIssuerAllowed(u))
    return 'must be https (plain http only for a provider on this machine)';
  return undefined;
}

export function redirectUrlProblem(raw: string): string | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return `must be a URL such as https://tidy.example.com${CALLBACK_PATH}`;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'must be http or https';
  if (u.pathname !== CALLBACK_PATH || u.search !== '' || u.hash !== '' || u.username || u.password)
    return `must be this server's address followed by ${CALLBACK_PATH}, nothing else`;
  return undefined;
}

export function scopesProblem(scopes: readonly string[]): string | undefined {
  if (!scopes.includes('openid')) return "must include 'openid'";
  if (scopes.some((s) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))) return 'must be scope names';
  return undefined;
}

/** Every problem with the options, for buildApp (settings report the same with the flag's name). */
export function oidcOptionsProblem(o: OidcOptions, secure: boolean): string | undefined {
  const issuer = issuerProblem(o.issuer);
  if (issuer) return `issuer ${issuer}`;
  if (o.clientId.trim() === '') return 'the client id is empty';
  const scopes = scopesProblem(o.scopes ?? DEFAULT_SCOPES);
  if (scopes) return `scopes ${scopes}`;
  if (o.redirectUrl !== undefined) {
    const r = redirectUrlProblem(o.redirectUrl);
    if (r) return `redirect URL ${r}`;
    // The cookies are Secure exactly when the server is on HTTPS: the callback must match.
    if ((new URL(o.redirectUrl).protocol === 'https:') !== secure)
      return secure
        ? 'redirect URL must be https: this server is on HTTPS (TLS or a TLS proxy)'
        : 'redirect URL is https but this server has neither TLS nor a trusted TLS proxy';
  }
  return undefined;
}
