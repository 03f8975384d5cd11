import { describe, expect, it } from 'vitest';
import { fakeClock } from '../test-support.js';
import { LoginThrottle } from './throttle.js';

describe('login throttle', () => {
  it('lets 5 failures through, then doubles the wait from 1 s up to the cap; no lockout', () => {
    const clock = fakeClock();
    const t = new LoginThrottle({ clock: clock.now });
    for (let i = 0; i < 5; i++) expect(t.begin('alice', '10.0.0.1'), `attempt ${i + 1}`).toBe(0);
    // After 5 failures, the 6th attempt waits (SECURITY.md: "After 5 failed attempts …").
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      const wait = t.begin('alice', '10.0.0.1');
      waits.push(wait);
      clock.advance(wait);
      expect(t.begin('alice', '10.0.0.1')).toBe(0);
    }
    expect(waits.slice(0, 6)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000]);
    expect(Math.max(...waits)).toBe(5 * 60_000);
  });

  it('throttles per username and address: others are not locked out', () => {
    const clock = fakeClock();
    const t = new LoginThrottle({ clock: clock.now });
    for (let i = 0; i < 7; i++) t.begin('alice', '10.0.0.66');
    expect(t.begin('alice', '10.0.0.66')).toBeGreaterThan(0);
    expect(t.begin('alice', '10.0.0.1')).toBe(0);
    expect(t.begin('bob', '10.0.0.66')).toBe(0);
  });

  it('counts an attempt before its check, so concurrent guesses are throttled too', () => {
    const t = new LoginThrottle({ clock: fakeClock().now });
    // Five begun at once, none finished: the sixth must wait.
    for (let i = 0; i < 5; i++) expect(t.begin('alice', '10.0.0.1')).toBe(0);
    expect(t.begin('alice', '10.0.0.1')).toBe(1_000);
  });

  it('forgets failures after a success, and 15 quiet minutes after the last one', () => {
    const clock = fakeClock();
    const t = new LoginThrottle({ clock: clock.now });
    for (let i = 0; i < 6; i++) t.begin('alice', '10.0.0.1');
    t.succeeded('alice', '10.0.0.1');
    expect(t.begin('alice', '10.0.0.1')).toBe(0);
    for (let i = 0; i < 6; i++) t.begin('bob', '10.0.0.2');
    expect(t.begin('bob', '10.0.0.2')).toBeGreaterThan(0);
    clock.advance(15 * 60_000);
    expect(t.begin('bob', '10.0.0.2')).toBe(0);
  });

  it('slows one address spraying many usernames', () => {
    const t = new LoginThrottle({ clock: fakeClock().now });
    for (let i = 0; i < 30; i++) expect(t.begin(`user${i}`, '10.0.0.9')).toBe(0);
    expect(t.begin('someone-new', '10.0.0.9')).toBe(1_000);
    expect(t.begin('someone-new', '10.0.0.10')).toBe(0);
  });

  it('caps concurrent password checks globally and refuses when too many wait', async () => {
    const t = new LoginThrottle({ clock: fakeClock().now, maxConcurrent: 2, maxQueued: 1 });
    const a = await t.admit();
    const b = await t.admit();
    let cGot = false;
    const c = t.admit().then((x) => ((cGot = true), x));
    const d = await t.admit();
    expect(d).toEqual({ ok: false, retryAfterMs: 1_000 });
    await Promise.resolve();
    expect(cGot).toBe(false);
    if (a.ok) a.release();
    const cc = await c;
    expect(cc.ok).toBe(true);
    if (b.ok) b.release();
    if (cc.ok) cc.release();
    // All slots free again: two at once without waiting.
    expect((await t.admit()).ok).toBe(true);
    expect((await t.admit()).ok).toBe(true);
  });

  it('remembers a bounded number of keys', () => {
    const t = new LoginThrottle({ clock: fakeClock().now, maxKeys: 100 });
    for (let i = 0; i < 1_000; i++) t.begin(`u${i}`, `10.0.${i >> 8}.${i & 255}`);
    expect((t as unknown as { keys: Map<string, unknown> }).keys.size).toBe(100);
  });
});
