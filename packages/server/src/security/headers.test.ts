import { describe, expect, it } from 'vitest';
import { CSP, SECURITY_HEADERS } from './headers.js';

/*
 * The policy itself, written out: every other test compares responses with these constants, so a
 * looser constant would pass them all. A change here is a change of SECURITY.md's promise.
 */
describe('the security headers every response carries', () => {
  it('is the strict CSP: nothing from another origin, no inline or eval script, no framing', () => {
    expect(CSP).toBe(
      "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; " +
        "img-src 'self' data: blob:; style-src 'self'; font-src 'self'; manifest-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    expect(CSP).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\*|https?:/);
  });

  it('are the companion headers SECURITY.md lists', () => {
    expect(SECURITY_HEADERS).toEqual({
      'content-security-policy': CSP,
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'permissions-policy':
        'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), interest-cohort=()',
      'x-dns-prefetch-control': 'off',
      'x-permitted-cross-domain-policies': 'none',
    });
  });
});
