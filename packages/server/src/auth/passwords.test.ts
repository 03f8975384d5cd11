import { describe, expect, it } from 'vitest';
import { ARGON2_POLICY, hashPassword, needsRehash, passwordProblem, verifyPassword } from './passwords.js';

describe('password hashing', () => {
  it("hashes with argon2id at OWASP's parameters, as a PHC string with a random salt", async () => {
    expect(ARGON2_POLICY).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
    expect(await verifyPassword(a, 'correct horse')).toBe(true);
    expect(await verifyPassword(a, 'correct horsE')).toBe(false);
    expect(await verifyPassword('not a hash', 'correct horse')).toBe(false);
  });

  it('compares passwords after NFKC normalisation', async () => {
    const h = await hashPassword('caf\u00e9 au lait');
    expect(await verifyPassword(h, 'cafe\u0301 au lait')).toBe(true);
  });

  it('asks for a rehash when the hash is below the policy or not argon2id', async () => {
    expect(needsRehash(await hashPassword('password-one'))).toBe(false);
    for (const weak of [
      { memoryCost: 4096, timeCost: 2, parallelism: 1 },
      { memoryCost: 19456, timeCost: 1, parallelism: 1 },
    ]) {
      expect(needsRehash(await hashPassword('password-one', weak)), JSON.stringify(weak)).toBe(true);
    }
    // Stronger than the policy is kept.
    expect(needsRehash(await hashPassword('password-one', { ...ARGON2_POLICY, timeCost: 3 }))).toBe(false);
    expect(
      needsRehash(
        '$argon2i$v=19$m=19456,t=2,p=1$RgiHjFxSj7xyzOURyrlJ/A$fPAk1eAt1+IhIHGwDr1K8dcivk1DIseLJS7NaS0LELc',
      ),
    ).toBe(true);
    expect(needsRehash('garbage')).toBe(true);
  });

  it('takes 8 to 1024 characters, counted as code points, with no composition rules', () => {
    expect(passwordProblem('1234567')).toMatch(/at least 8/);
    expect(passwordProblem('12345670')).toBeUndefined();
    expect(passwordProblem('aaaaaaab')).toBeUndefined();
    expect(passwordProblem('   a   b')).toBeUndefined();
    // Seven emoji are 14 UTF-16 units but 7 characters.
    expect(passwordProblem('😀'.repeat(7))).toMatch(/at least 8/);
    const emoji = Array.from({ length: 1024 }, (_, i) => String.fromCodePoint(0x1f600 + ((i * 7) % 80)));
    expect(passwordProblem(emoji.join(''))).toBeUndefined();
    expect(passwordProblem('x'.repeat(1025))).toMatch(/at most 1024/);
  });

  it('refuses the most common breached passwords, dressed up or not, and trivial ones', () => {
    for (const p of [
      'password',
      'PassWord1',
      '12345678',
      'iloveyou',
      'qwertyuiop',
      'ｐａｓｓｗｏｒｄ',
      'password123',
      'qwerty123',
      'Welcome1',
      'Password123!',
      'password ',
      ' Sunshine 2024 ',
      '12345678!',
      '1234567890.',
      'trustno1!',
      'abc123!!',
      '123password',
      '!password',
      'P@ssw0rd',
      'p@ssword1',
      'passwordpassword',
      'aaaaaaaa',
      'abcdefgh',
      '87654321',
      'abcabcabc',
      '        ',
      'tidyvault1',
      'TidyVault123',
    ])
      expect(passwordProblem(p), p).toBe(
        'this password is on a list of the most common breached passwords, or is one dressed up (digits or symbols added, letters as digits, doubled) or trivial; choose another',
      );
    // A common password inside a longer one, or with letters added, is not refused; nor are
    // ordinary passphrases.
    for (const p of [
      'password for the tidyvault box',
      'correct horse battery staple',
      'passwordless1',
      'x-password-1',
      'my cat eats 3 lemons',
      'Tr0ub4dor&3 but longer',
      'Kürbissuppe mit Ingwer',
      '猫が三匹いる家です',
      'q8Zr-VnT2-pL0x',
    ])
      expect(passwordProblem(p), p).toBeUndefined();
  });
});
