import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../options.js';

export interface Session {
  /** SHA-256 of the cookie value, hex: the raw token is never stored. */
  readonly hash: string;
  readonly user: string;
  readonly createdAt: number;
  lastSeenAt: number;
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(sha256(a));
  const y = Buffer.from(sha256(b));
  return timingSafeEqual(x, y);
}

/** 256-bit opaque tokens for session cookies and login links. */
export const newToken = (): string => randomBytes(32).toString('base64url');

/** Server-side sessions with idle and absolute expiry. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  constructor(private readonly o: { clock: Clock; idleMs: number; absoluteMs: number; secretKey: Buffer }) {}

  create(user: string): { token: string; session: Session } {
    const token = newToken();
    const now = this.o.clock();
    const session: Session = { hash: sha256(token), user, createdAt: now, lastSeenAt: now };
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
    if (now - s.lastSeenAt >= this.o.idleMs || now - s.createdAt >= this.o.absoluteMs) {
      this.sessions.delete(hash);
      return undefined;
    }
    s.lastSeenAt = now;
    return s;
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
      if (now - s.lastSeenAt >= this.o.idleMs || now - s.createdAt >= this.o.absoluteMs)
        this.sessions.delete(h);
    }
  }

  get size(): number {
    return this.sessions.size;
  }
}

/** The single-user login link's token: shown once, only its hash kept, dead after one use. */
export class OneTimeToken {
  private hash: string | undefined;
  constructor(token?: string) {
    this.hash = token === undefined ? undefined : sha256(token);
  }

  /** Issue a fresh token (the previous one dies). */
  issue(): string {
    const t = newToken();
    this.hash = sha256(t);
    return t;
  }

  consume(token: string): boolean {
    if (this.hash === undefined) return false;
    const ok = timingSafeEqual(Buffer.from(sha256(token)), Buffer.from(this.hash));
    if (ok) this.hash = undefined;
    return ok;
  }
}
