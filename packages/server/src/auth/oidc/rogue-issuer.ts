import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/**
 * A small OpenID Provider whose answers a test controls, for the token-level attacks of
 * SECURITY-CONTROLS control 6: a real HTTP server on 127.0.0.1 serving discovery, JWKS, an
 * authorization endpoint and a token endpoint, signing ID tokens with `jose`. In `honest` mode it
 * behaves (single-use codes, PKCE S256 and redirect_uri checked, client secret checked); every
 * other mode changes one thing about the ID token or the callback.
 */
export type RogueMode =
  | 'honest'
  | 'wrong_nonce'
  | 'no_nonce'
  | 'alg_none'
  | 'hs256'
  | 'wrong_audience'
  | 'extra_audience'
  | 'other_issuer'
  | 'iss_parameter'
  | 'expired'
  | 'not_yet_valid'
  | 'foreign_key';

export interface RogueIssuer {
  issuer: string;
  clientId: string;
  clientSecret: string;
  mode: RogueMode;
  /** The claims of the next ID tokens (sub, email…), merged over the defaults. */
  claims: Record<string, unknown>;
  /** Discovery names this issuer instead of the real one (a mix-up at discovery). */
  discoveryIssuer: string | undefined;
  /** What the token endpoint saw: each redemption and whether PKCE matched. */
  redemptions: { code: string; pkce: boolean; redirectUri: string | null }[];
  close: () => Promise<void>;
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function body(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function json(res: http.ServerResponse, status: number, value: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(value));
}

export async function startRogueIssuer(o: { redirectUri: string }): Promise<RogueIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map<
    string,
    { nonce: string | null; challenge: string | null; redirectUri: string | null; used: boolean }
  >();
  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => json(res, 500, { error: 'server_error' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const rogue: RogueIssuer = {
    issuer,
    clientId: 'tidyvault-rogue-test',
    clientSecret: randomBytes(24).toString('base64url'),
    mode: 'honest',
    claims: {},
    discoveryIssuer: undefined,
    redemptions: [],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  async function idToken(nonce: string | null): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: issuer,
      sub: 'rogue-sub-1',
      aud: rogue.clientId,
      iat: now,
      exp: now + 300,
      ...(nonce !== null ? { nonce } : {}),
      email: 'mallory@example.com',
      email_verified: true,
      ...rogue.claims,
    };
    switch (rogue.mode) {
      case 'wrong_nonce':
        claims.nonce = 'a-nonce-from-another-sign-in';
        break;
      case 'no_nonce':
        delete claims.nonce;
        break;
      case 'wrong_audience':
        claims.aud = 'some-other-client';
        break;
      case 'extra_audience':
        claims.aud = [rogue.clientId, 'some-other-client'];
        break;
      case 'other_issuer':
        claims.iss = 'https://accounts.example.com';
        break;
      case 'expired':
        claims.iat = now - 7200;
        claims.exp = now - 3600;
        break;
      case 'not_yet_valid':
        claims.nbf = now + 3600;
        break;
      default:
        break;
    }
    if (rogue.mode === 'alg_none') return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    if (rogue.mode === 'hs256')
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
        .sign(new TextEncoder().encode(rogue.clientSecret));
    const key: CryptoKey = rogue.mode === 'foreign_key' ? other.privateKey : privateKey;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' }).sign(key);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer: rogue.discoveryIssuer ?? issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        // It advertises the weak ones too: the relying party must refuse them all the same.
        id_token_signing_alg_values_supported: ['RS256', 'HS256', 'none'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
      });
    }
    if (url.pathname === '/jwks') return json(res, 200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== rogue.clientId || q.get('redirect_uri') !== o.redirectUri)
        return json(res, 400, { error: 'invalid_request' });
      const code = randomBytes(16).toString('base64url');
      codes.set(code, {
        nonce: q.get('nonce'),
        challenge: q.get('code_challenge_method') === 'S256' ? q.get('code_challenge') : null,
        redirectUri: q.get('redirect_uri'),
        used: false,
      });
      const back = new URL(o.redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      if (rogue.mode === 'iss_parameter') back.searchParams.set('iss', 'https://accounts.example.com');
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = await body(req);
      const basic = Buffer.from(
        (req.headers.authorization ?? '').replace(/^Basic /, ''),
        'base64',
      ).toString();
      const [id, secret] = basic.split(':').map((s) => decodeURIComponent(s));
      if (id !== rogue.clientId || secret !== rogue.clientSecret)
        return json(res, 401, { error: 'invalid_client' });
      const code = form.get('code') ?? '';
      const grant = codes.get(code);
      const verifier = form.get('code_verifier');
      const pkce =
        !!grant?.challenge &&
        !!verifier &&
        createHash('sha256').update(verifier).digest('base64url') === grant.challenge;
      rogue.redemptions.push({ code, pkce, redirectUri: form.get('redirect_uri') });
      if (!grant || grant.used || !pkce || form.get('redirect_uri') !== grant.redirectUri) {
        if (grant) grant.used = true;
        return json(res, 400, { error: 'invalid_grant' });
      }
      grant.used = true;
      return json(res, 200, {
        access_token: randomBytes(16).toString('base64url'),
        token_type: 'Bearer',
        expires_in: 300,
        id_token: await idToken(grant.nonce),
      });
    }
    return json(res, 404, { error: 'not_found' });
  }

  return rogue;
}
