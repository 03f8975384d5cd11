import type { Clock } from '../options.js';

const MINUTE = 60_000;

interface Bucket {
  tokens: number;
  at: number;
  /** Refused since it last had a token: logged once per such run, not per request. */
  refusing: boolean;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number; firstRefusal: boolean };

/**
 * API requests per session (SECURITY-CONTROLS §3: "API 300/min per session"): a token bucket of
 * `perMinute` tokens, refilled evenly over a minute. A session may spend a whole minute's worth
 * at once (a burst of pages while scrolling) and then goes at the refill's pace. A bucket left
 * alone for a minute is full again, so it is forgotten.
 */
export class ApiRateLimit {
  private readonly buckets = new Map<string, Bucket>();
  private takes = 0;

  constructor(
    readonly perMinute: number,
    private readonly clock: Clock,
  ) {
    if (!(perMinute > 0)) throw new Error('perMinute must be positive');
  }

  take(key: string): RateDecision {
    const now = this.clock();
    if (++this.takes % 1_000 === 0) this.forgetFull(now);
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: now, refusing: false };
    b.tokens = Math.min(this.perMinute, b.tokens + ((now - b.at) * this.perMinute) / MINUTE);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      b.refusing = false;
      return { ok: true };
    }
    const firstRefusal = !b.refusing;
    b.refusing = true;
    return { ok: false, retryAfterMs: Math.ceil(((1 - b.tokens) * MINUTE) / this.perMinute), firstRefusal };
  }

  get size(): number {
    return this.buckets.size;
  }

  private forgetFull(now: number): void {
    for (const [key, b] of this.buckets) if (now - b.at >= MINUTE) this.buckets.delete(key);
  }
}
