import type { Clock } from '../options.js';

/**
 * Login throttling without lockout (OWASP ASVS 6.3.1, SECURITY-CONTROLS §3 "5/min per
 * account+IP with exponential backoff, no hard lockout"):
 *
 * - per (username, client address): after `freeFailures` failures, each further attempt waits
 *   1 s, 2 s, 4 s … up to `maxDelayMs`. The key holds the
 *   address, so guessing from elsewhere never locks the real user out; a success clears it.
 * - per client address, over all usernames (password spraying): the same, with a larger
 *   allowance (`freeFailuresPerAddress`).
 * - global: at most `maxConcurrent` password checks run at once (argon2id takes ~19 MiB and
 *   ~0.1 s of a core each) and at most `maxQueued` wait; beyond that, 429 for a second. A flood
 *   slows everyone's sign-in but locks no account.
 *
 * The delay is checked before the password is, whatever the username: an unknown user and a
 * known one are throttled alike. A key's failures are forgotten `forgetAfterMs` after its last
 * one; at most `maxKeys` keys are remembered (the oldest go first).
 */
export interface ThrottleOptions {
  clock: Clock;
  freeFailures?: number;
  freeFailuresPerAddress?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  forgetAfterMs?: number;
  maxKeys?: number;
  maxConcurrent?: number;
  maxQueued?: number;
}

interface Failures {
  count: number;
  /** When the last one happened. */
  last: number;
}

export type Admission = { ok: true; release: () => void } | { ok: false; retryAfterMs: number };

export class LoginThrottle {
  private readonly keys = new Map<string, Failures>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly o: Required<ThrottleOptions>;

  constructor(o: ThrottleOptions) {
    this.o = {
      freeFailures: 5,
      freeFailuresPerAddress: 30,
      baseDelayMs: 1_000,
      maxDelayMs: 5 * 60_000,
      forgetAfterMs: 15 * 60_000,
      maxKeys: 10_000,
      maxConcurrent: 2,
      maxQueued: 32,
      ...o,
    };
  }

  private static userKey = (user: string, address: string) => `u\0${address}\0${user}`;
  private static addressKey = (address: string) => `a\0${address}`;

  private get(key: string): Failures | undefined {
    const f = this.keys.get(key);
    if (f && this.o.clock() - f.last >= this.o.forgetAfterMs) {
      this.keys.delete(key);
      return undefined;
    }
    return f;
  }

  /** No attempt on this key before this time. */
  private until(f: Failures | undefined, free: number): number {
    // After `free` failures the next attempt waits 1 s, after one more 2 s, …
    const over = (f?.count ?? 0) - free + 1;
    return over > 0 ? f!.last + Math.min(this.o.baseDelayMs * 2 ** (over - 1), this.o.maxDelayMs) : 0;
  }

  /**
   * Before checking a password: the milliseconds to wait when (user, address) must not try yet.
   * Otherwise 0, and the attempt is counted as a failure at once (so a burst of concurrent
   * guesses is throttled like a sequence); `succeeded` takes it back.
   */
  begin(user: string, address: string): number {
    const now = this.o.clock();
    const userKey = LoginThrottle.userKey(user, address);
    const addressKey = LoginThrottle.addressKey(address);
    const wait = Math.max(
      this.until(this.get(userKey), this.o.freeFailures),
      this.until(this.get(addressKey), this.o.freeFailuresPerAddress),
    );
    if (wait > now) return wait - now;
    this.count(userKey, now);
    this.count(addressKey, now);
    return 0;
  }

  /** The password was right: (user, address) starts afresh, and the address's count is taken back. */
  succeeded(user: string, address: string): void {
    this.keys.delete(LoginThrottle.userKey(user, address));
    const f = this.get(LoginThrottle.addressKey(address));
    if (f) f.count = Math.max(0, f.count - 1);
  }

  private count(key: string, now: number): void {
    const f = this.get(key) ?? { count: 0, last: now };
    f.count++;
    f.last = now;
    // Re-inserted last, so the Map's order is oldest activity first.
    this.keys.delete(key);
    this.keys.set(key, f);
    while (this.keys.size > this.o.maxKeys) this.keys.delete(this.keys.keys().next().value!);
  }

  /** A slot for one password check, waiting for one when all are busy; refused when too many wait. */
  async admit(): Promise<Admission> {
    if (this.running >= this.o.maxConcurrent) {
      if (this.waiting.length >= this.o.maxQueued) return { ok: false, retryAfterMs: 1_000 };
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        const next = this.waiting.shift();
        // The slot passes straight to the next waiter; `running` stays the same.
        if (next) next();
        else this.running--;
      },
    };
  }

  sweep(): void {
    const now = this.o.clock();
    for (const [k, f] of this.keys) if (now - f.last >= this.o.forgetAfterMs) this.keys.delete(k);
  }
}
