import type { FastifyInstance } from 'fastify';
import type { Clock } from '../options.js';
import { leaveUnaudited } from '../audit/record.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Exempt from the per-session request rate (signing out must always work). */
    unmetered?: boolean;
  }
}

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

/**
 * Counts each signed-in request against its session's bucket; past the rate, 429 with
 * Retry-After before the route runs. Registered after access control, which sets the session.
 */
export function registerApiRate(app: FastifyInstance, rate: ApiRateLimit): void {
  app.addHook('onRequest', async (request, reply) => {
    const session = request.session;
    if (!session || request.routeOptions.config.unmetered) return;
    const r = rate.take(session.hash);
    if (r.ok) return;
    const seconds = Math.ceil(r.retryAfterMs / 1000);
    if (!r.firstRefusal) leaveUnaudited(request);
    else
      request.log.warn(
        { op: 'api.rate_limited', perMinute: rate.perMinute },
        'session over its request rate',
      );
    return reply
      .code(429)
      .header('retry-after', String(seconds))
      .send({
        error: {
          code: 'TOO_MANY_REQUESTS',
          message: `this session made more than ${rate.perMinute} requests in a minute; try again in ${seconds} s`,
        },
      });
  });
}
