import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LOGIN_STATE_TTL_MS, LoginStateSealer, loginStateCookie, type PendingLogin } from './login-state.js';

const pending = (now: number): PendingLogin => ({
  state: 'state-'.padEnd(43, 's'),
  nonce: 'nonce-'.padEnd(43, 'n'),
  verifier: 'v'.repeat(43),
  next: '/x',
  expiresAt: now + LOGIN_STATE_TTL_MS,
});

describe('the sealed sign-in state cookie', () => {
  const now = Date.UTC(2026, 0, 1);
  const sealer = new LoginStateSealer(randomBytes(32));

  it('opens what it sealed, until it expires', () => {
    const sealed = sealer.seal(pending(now));
    expect(sealer.open(sealed, now)).toEqual(pending(now));
    expect(sealer.open(sealed, now + LOGIN_STATE_TTL_MS - 1)).toBeDefined();
    expect(sealer.open(sealed, now + LOGIN_STATE_TTL_MS)).toBeUndefined();
  });

  it('hides the state, nonce and verifier, and refuses any change or another key', () => {
    const sealed = sealer.seal(pending(now));
    const bytes = Buffer.from(sealed, 'base64url');
    for (const secret of ['state-', 'nonce-', 'vvvvvvvv'])
      expect(bytes.toString('latin1')).not.toContain(secret);
    for (const i of [0, 12, bytes.length - 1]) {
      const flipped = Buffer.from(bytes);
      flipped[i]! ^= 1;
      expect(sealer.open(flipped.toString('base64url'), now)).toBeUndefined();
    }
    expect(new LoginStateSealer(randomBytes(32)).open(sealed, now)).toBeUndefined();
    expect(sealer.open(undefined, now)).toBeUndefined();
    expect(sealer.open('', now)).toBeUndefined();
    expect(sealer.open('x'.repeat(5000), now)).toBeUndefined();
  });

  it('is __Host- prefixed under HTTPS only', () => {
    expect(loginStateCookie(true)).toBe('__Host-tidyvault-oidc');
    expect(loginStateCookie(false)).toBe('tidyvault-oidc');
  });
});
