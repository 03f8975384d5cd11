import * as client from 'openid-client';
import { DEFAULT_SCOPES, insecureIssuerAllowed, type OidcOptions } from './options.js';

/**
 * The relying party: openid-client 6 does the protocol — discovery, the authorization URL, the
 * code exchange and every check on the answer:
 * - the authorization response: `state` equal to the one sent, and RFC 9207's `iss` parameter
 *   (when present, or required by the provider's metadata) equal to the issuer (mix-up defence);
 * - the code exchange sends the PKCE `code_verifier` and the exact `redirect_uri`;
 * - the ID token: `iss` equal to the issuer of the discovery document (itself checked to be the
 *   configured issuer), `aud` containing the client id (and `azp` when there are several),
 *   `exp`/`iat`/`nbf` with at most 30 s of clock tolerance, `nonce` equal to the one sent;
 * - its signature, checked against the provider's JWKS (`enableNonRepudiationChecks`; without it
 *   openid-client trusts the TLS channel instead): `none` and HMAC algorithms are refused.
 * On top of that the algorithm must be on ID_TOKEN_ALGORITHMS (asymmetric only).
 */

/** Asymmetric JWS algorithms accepted for ID tokens; `none` and HS* never are. */
export const ID_TOKEN_ALGORITHMS: ReadonlySet<string> = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);

/** The `max_age` of every sign-in: the provider re-authenticates a person whose sign-in there is older. */
const MAX_AGE_SECONDS = 12 * 60 * 60;

/** Why a sign-in failed: the reason recorded in the audit log and shown (in words) to the user. */
export type FailureReason =
  | 'login_state_missing'
  | 'state_mismatch'
  | 'provider_error'
  | 'code_rejected'
  | 'issuer_mismatch'
  | 'audience_mismatch'
  | 'nonce_mismatch'
  | 'token_expired'
  | 'algorithm_refused'
  | 'signature_invalid'
  | 'token_invalid'
  | 'provider_unreachable'
  | 'account_disabled'
  | 'account_missing';

export class SignInFailure extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SignInFailure';
  }

  /** 400: the request itself is wrong (no sign-in of this browser, replayed code); 401: the proof is bad. */
  get status(): number {
    switch (this.reason) {
      case 'login_state_missing':
      case 'state_mismatch':
      case 'code_rejected':
        return 400;
      case 'account_disabled':
      case 'account_missing':
        return 403;
      case 'provider_unreachable':
        return 502;
      default:
        return 401;
    }
  }
}

/** The claims a sign-in needs, from the verified ID token (and userinfo for the profile). */
export interface VerifiedIdentity {
  /** The ID token itself (kept with the session as the hint to end the provider's session). */
  idToken: string;
  /** When the person last authenticated at the provider (`auth_time`, ms), if it says. */
  authTime?: number;
  issuer: string;
  subject: string;
  email?: string;
  emailVerified?: boolean;
  preferredUsername?: string;
  name?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

interface Coded {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  claim?: unknown;
  name?: unknown;
}

/** openid-client's errors wrap oauth4webapi's, which carry the claim: walk the chain. */
function classify(err: unknown): FailureReason {
  const chain: Coded[] = [];
  for (let e: unknown = err; e && typeof e === 'object' && chain.length < 6; e = (e as Coded).cause)
    chain.push(e as Coded);
  const codes = new Set(chain.map((e) => e.code));
  const text = chain.map((e) => String(e.message ?? '')).join(' | ');
  const claim = chain.map((e) => e.claim).find((c) => typeof c === 'string');
  if (err instanceof client.AuthorizationResponseError) return 'provider_error';
  if (codes.has('OAUTH_RESPONSE_BODY_ERROR')) return 'code_rejected';
  if (codes.has('OAUTH_JWT_TIMESTAMP_CHECK_FAILED')) return 'token_expired';
  if (codes.has('OAUTH_JWT_CLAIM_COMPARISON_FAILED')) {
    if (claim === 'nonce') return 'nonce_mismatch';
    if (claim === 'aud' || claim === 'azp') return 'audience_mismatch';
    if (claim === 'iss') return 'issuer_mismatch';
    return 'token_invalid';
  }
  if (/"iss" \(issuer\)/.test(text)) return 'issuer_mismatch';
  if (/"nonce"/.test(text)) return 'nonce_mismatch';
  if (/"aud" \(audience\)/.test(text)) return 'audience_mismatch';
  if (/"state"/.test(text)) return 'state_mismatch';
  if (codes.has('OAUTH_UNSUPPORTED_OPERATION') || /"alg"/.test(text)) return 'algorithm_refused';
  if (/signature/i.test(text) || codes.has('OAUTH_KEY_SELECTION_FAILED')) return 'signature_invalid';
  if (
    codes.has('OAUTH_TIMEOUT') ||
    chain.some((e) => e.name === 'TypeError' && /fetch failed/.test(String(e.message)))
  )
    return 'provider_unreachable';
  return 'token_invalid';
}

export interface AuthorizationRequest {
  url: URL;
  state: string;
  nonce: string;
  verifier: string;
}

export class RelyingParty {
  private config: Promise<client.Configuration> | undefined;
  /** The hosts of the endpoints the provider's metadata names, once discovered. */
  private endpointHosts: string[] = [];
  readonly issuer: URL;
  private readonly scopes: string;

  constructor(private readonly o: OidcOptions) {
    this.issuer = new URL(o.issuer);
    this.scopes = (o.scopes ?? DEFAULT_SCOPES).join(' ');
  }

  /** Discovery, once; a failure is not kept, so the next sign-in tries again. */
  private configuration(): Promise<client.Configuration> {
    this.config ??= client
      .discovery(
        this.issuer,
        this.o.clientId,
        undefined,
        this.o.clientSecret ? client.ClientSecretBasic(this.o.clientSecret.reveal()) : client.None(),
        {
          execute: [
            client.enableNonRepudiationChecks,
            ...(insecureIssuerAllowed(this.issuer) ? [client.allowInsecureRequests] : []),
          ],
          timeout: this.o.timeoutSeconds ?? 10,
        },
      )
      .then((config) => {
        this.endpointHosts = Object.values(config.serverMetadata()).flatMap((v) => {
          if (typeof v !== 'string' || !/^https?:\/\//.test(v)) return [];
          try {
            return [new URL(v).hostname];
          } catch {
            return [];
          }
        });
        return config;
      })
      .catch((e: unknown) => {
        this.config = undefined;
        throw new SignInFailure('provider_unreachable', 'the sign-in provider cannot be reached', {
          cause: e,
        });
      });
    return this.config;
  }

  /** The hosts this server may connect to for sign-ins: the issuer's, then its endpoints'. */
  hosts(): string[] {
    return [this.issuer.hostname, ...this.endpointHosts];
  }

  /** Fetch the provider's metadata now (at start), so a wrong issuer shows in the log early. */
  async discover(): Promise<void> {
    await this.configuration();
  }

  /**
   * Where to send the browser to end its session at the provider too (OpenID Connect
   * RP-Initiated Logout: `id_token_hint` and `client_id`; no redirect back, which would have to be
   * registered there). Undefined when the provider has no end-session endpoint or is unreachable.
   */
  async endSessionUrl(idToken: string): Promise<URL | undefined> {
    try {
      const config = await this.configuration();
      if (!config.serverMetadata().end_session_endpoint) return undefined;
      return client.buildEndSessionUrl(config, { id_token_hint: idToken, client_id: this.o.clientId });
    } catch {
      return undefined;
    }
  }

  /** A new state, nonce and PKCE verifier, and the provider's URL to send the browser to. */
  async authorizationRequest(redirectUri: string): Promise<AuthorizationRequest> {
    const config = await this.configuration();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: this.scopes,
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      // A provider asked for max_age must say when the person last signed in there (auth_time):
      // what break-glass counts as a recent proof of identity. 12 hours, a session's longest life.
      // Not checked at the callback: a provider that ignores it still signs people in (and then
      // no sign-in of theirs is recent enough to break the glass).
      max_age: String(MAX_AGE_SECONDS),
    });
    return { url, state, nonce, verifier };
  }

  /**
   * The provider's answer at the callback, checked through and through; the identity it proves.
   * `callbackUrl` is the configured redirect URI with the callback's query: openid-client sends
   * it (without the query) as the token request's `redirect_uri`, so it must be the registered
   * one, never rebuilt from the request's Host header.
   */
  async finish(
    callbackUrl: URL,
    expected: { state: string; nonce: string; verifier: string },
  ): Promise<VerifiedIdentity> {
    const config = await this.configuration();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: expected.verifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
    } catch (e) {
      throw new SignInFailure(classify(e), 'the sign-in could not be verified', { cause: e });
    }
    const idToken = tokens.id_token;
    const claims = tokens.claims();
    if (!idToken || !claims) throw new SignInFailure('token_invalid', 'no ID token');
    // openid-client compared it already; the account key depends on it, so once more here.
    if (claims.iss !== config.serverMetadata().issuer)
      throw new SignInFailure('issuer_mismatch', 'the ID token names another issuer');
    let alg: unknown;
    try {
      alg = (
        JSON.parse(Buffer.from(idToken.split('.')[0]!, 'base64url').toString('utf8')) as { alg?: unknown }
      ).alg;
    } catch {
      alg = undefined;
    }
    if (typeof alg !== 'string' || !ID_TOKEN_ALGORITHMS.has(alg))
      throw new SignInFailure('algorithm_refused', 'the ID token is not signed with an accepted algorithm');
    const identity: VerifiedIdentity = {
      idToken,
      ...(typeof claims.auth_time === 'number' ? { authTime: claims.auth_time * 1000 } : {}),
      issuer: claims.iss,
      subject: claims.sub,
      ...profile(claims),
    };
    // Providers that follow OIDC Core strictly put profile claims in userinfo only when an
    // access token is issued. They name the account, nothing more, so a failure here is not one
    // of the sign-in.
    if (!identity.email && !identity.preferredUsername && config.serverMetadata().userinfo_endpoint) {
      try {
        const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
        Object.assign(identity, profile(info), { issuer: claims.iss, subject: claims.sub });
      } catch {
        // Named from what the ID token has.
      }
    }
    return identity;
  }
}

function profile(
  c: Record<string, unknown>,
): Omit<VerifiedIdentity, 'idToken' | 'authTime' | 'issuer' | 'subject'> {
  const email = str(c.email);
  const preferredUsername = str(c.preferred_username);
  const name = str(c.name);
  return {
    ...(email ? { email } : {}),
    ...(typeof c.email_verified === 'boolean' ? { emailVerified: c.email_verified } : {}),
    ...(preferredUsername ? { preferredUsername } : {}),
    ...(name ? { name } : {}),
  };
}
