import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../options.js';

export interface Session {
  /** SHA-256 of the cookie value, hex: the raw token is never stored. */
  readonly hash: string;
  readonly user: string;
  /** Local accounts: the account's generation at sign-in (a password change or disable raises it). */
  readonly generation?: number;
  /** Single sign-on: the ID token it began with, the hint for ending the provider's session too. */
  readonly idToken?: string;
  readonly createdAt: number;
  lastSeenAt: number;
  /**
   * When its user last proved who they are: the password at sign-in or re-authentication; for
   * single sign-on, the provider's `auth_time` (0 when it did not say).
   */
  authAt: number;
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(sha256(a));
  const y = Buffer.from(sha256(b));
  return timingSafeEqual(x, y);
}

/** 256-bit opaque tokens for session cookies and login links. */
export const newToken = (): string => randomBytes(32).toString('base64url');

/**
 * Server-side sessions with idle and absolute expiry. `valid`, when given, is asked at every
 * lookup whether the session's account still allows it (local accounts: not disabled, password
 * unchanged since sign-in); a session it refuses is removed.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  constructor(
    private readonly o: {
      clock: Clock;
      idleMs: number;
      absoluteMs: number;
      secretKey: Buffer;
      valid?: (s: Session) => boolean;
    },
  ) {}

  /** A new session with a new random token: sign-in always rotates the session id. */
  create(
    user: string,
    generation?: number,
    sso?: { idToken: string; authAt: number },
  ): { token: string; session: Session } {
    const token = newToken();
    const now = this.o.clock();
    const session: Session = {
      hash: sha256(token),
      user,
      ...(generation !== undefined ? { generation } : {}),
      ...(sso ? { idToken: sso.idToken } : {}),
      createdAt: now,
      lastSeenAt: now,
      authAt: sso ? sso.authAt : now,
    };
    this.sessions.set(session.hash, session);
    return { token, session };
  }

  /** The live session for a cookie value, touching its idle timer; expired ones are removed. */
  lookup(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const hash = sha256(token);
    const s = this.sessions.get(hash);
    if (!s) return undefined;
    const now = this.o.clock();
    if (this.expired(s, now) || (this.o.valid && !this.o.valid(s))) {
      this.sessions.delete(hash);
      return undefined;
    }
    s.lastSeenAt = now;
    return s;
  }

  private expired(s: Session, now: number): boolean {
    return now - s.lastSeenAt >= this.o.idleMs || now - s.createdAt >= this.o.absoluteMs;
  }

  /** Ends the session a cookie value names, if any (the old session at a new sign-in). */
  destroyToken(token: string | undefined): void {
    if (token) this.sessions.delete(sha256(token));
  }

  /** Ends every session of a user. */
  destroyUser(user: string): number {
    let n = 0;
    for (const [h, s] of this.sessions) {
      if (s.user === user) {
        this.sessions.delete(h);
        n++;
      }
    }
    return n;
  }

  /** Bound to the session and the instance key, so nothing extra needs storing. */
  csrfToken(s: Session): string {
    return createHmac('sha256', this.o.secretKey).update(`csrf:${s.hash}`).digest('base64url');
  }

  destroy(s: Session): void {
    this.sessions.delete(s.hash);
  }

  sweep(): void {
    const now = this.o.clock();
    for (const [h, s] of this.sessions) {
      if (this.expired(s, now) || (this.o.valid && !this.o.valid(s))) this.sessions.delete(h);
    }
  }

  get size(): number {
    return this.sessions.size;
  }
}

/**
 * A one-time token: shown once, only its hash kept, dead after one use — the single-user login
 * link, and the local mode's first-administrator setup token (which also dies `ttlMs` after it
 * was issued).
 */
export class OneTimeToken {
  private hash: string | undefined;
  private expiresAt = Infinity;
  constructor(private readonly o: { clock?: Clock; ttlMs?: number } = {}) {}

  /** Issue a fresh token (the previous one dies). */
  issue(): string {
    const t = newToken();
    this.hash = sha256(t);
    this.expiresAt = this.o.ttlMs === undefined ? Infinity : (this.o.clock ?? Date.now)() + this.o.ttlMs;
    return t;
  }

  /** A live token exists (issued, unused, unexpired). */
  get live(): boolean {
    return this.hash !== undefined && (this.o.clock ?? Date.now)() < this.expiresAt;
  }

  /** True (and the token is used up) when `token` is the live token. */
  consume(token: string): boolean {
    if (!this.matches(token)) return false;
    this.hash = undefined;
    return true;
  }

  /** True when `token` is the live token; it stays usable. */
  matches(token: string): boolean {
    if (!this.live) return false;
    return timingSafeEqual(Buffer.from(sha256(token)), Buffer.from(this.hash!));
  }

  revoke(): void {
    this.hash = undefined;
  }
}
