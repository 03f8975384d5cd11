import { randomBytes } from 'node:crypto';
import { Algorithm, hash, parseOptions, verify } from '@node-rs/argon2';
import { COMMON_PASSWORDS } from './common-passwords.js';

/**
 * Password hashing: argon2id at OWASP's parameters (Password Storage Cheat Sheet, and
 * SECURITY-CONTROLS §3): m = 19456 KiB, t = 2, p = 1, stored as a PHC string
 * `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` (16-byte random salt, 32-byte hash).
 */
export const ARGON2_POLICY = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;

export type Argon2Params = { memoryCost: number; timeCost: number; parallelism: number };

/**
 * Passwords are compared after Unicode NFKC normalisation (NIST SP 800-63B 5.1.1.2), so the
 * same password typed on keyboards that compose characters differently still matches.
 */
export const normalisePassword = (password: string): string => password.normalize('NFKC');

/** Length in characters (code points), as a person counts them, not UTF-16 units or bytes. */
const length = (s: string): number => [...s].length;

const AROUND = /^[\p{N}\p{P}\p{S}\s]+|[\p{N}\p{P}\p{S}\s]+$/gu;
const SYMBOLS_AROUND = /^[\p{P}\p{S}\s]+|[\p{P}\p{S}\s]+$/gu;
const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
};

/** The same few characters over and over (`aaaaaaaa`, `abcabcabc`), or a run of the alphabet or digits. */
function trivial(t: string): boolean {
  if (/^(.{1,4})\1+$/su.test(t)) return true;
  const codes = [...t].map((c) => c.codePointAt(0)!);
  const step = codes[1]! - codes[0]!;
  return Math.abs(step) === 1 && codes.every((c, k) => k === 0 || c - codes[k - 1]! === step);
}

/**
 * A common password, or one dressed up: in any case, with spaces, digits, punctuation or symbols
 * added before or after (`password123`, `!password`, `12345678!`), with letters written as digits
 * or symbols (`P@ssw0rd`), doubled (`passwordpassword`), or trivial (`aaaaaaaa`, `abcdefgh`);
 * or this product's name. The first things a guesser tries.
 */
function isCommon(normal: string): boolean {
  const t = normal.trim().toLowerCase();
  const forms = new Set([t, t.replace(SYMBOLS_AROUND, ''), t.replace(AROUND, '')]);
  for (const f of [...forms]) forms.add([...f].map((c) => LEET[c] ?? c).join(''));
  const doubled = /^(.+)\1$/su.exec(t)?.[1];
  if (doubled) forms.add(doubled);
  for (const f of forms) {
    if (f.length < 4 && f !== t) continue;
    if (COMMON_PASSWORDS.has(f) || f === 'tidyvault') return true;
  }
  return trivial(normal.toLowerCase());
}

/**
 * Why a new password is refused, or undefined when it is acceptable: 8 to 1024 characters,
 * not a common breached password (see isCommon); no composition rules (OWASP ASVS 6.2). Any
 * character is allowed, spaces and emoji included.
 */
export function passwordProblem(password: string): string | undefined {
  const normal = normalisePassword(password);
  const n = length(normal);
  if (n < MIN_PASSWORD_LENGTH) return `a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (n > MAX_PASSWORD_LENGTH) return `a password may have at most ${MAX_PASSWORD_LENGTH} characters`;
  if (isCommon(normal))
    return 'this password is on a list of the most common breached passwords, or is one dressed up (digits or symbols added, letters as digits, doubled) or trivial; choose another';
  return undefined;
}

/** A PHC string for the password at the policy's parameters (or others, for tests). */
export function hashPassword(password: string, params: Argon2Params = ARGON2_POLICY): Promise<string> {
  return hash(normalisePassword(password), { algorithm: Algorithm.Argon2id, ...params });
}

/** True when the password matches; false for a wrong password or an unreadable hash. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, normalisePassword(password));
  } catch {
    return false;
  }
}

/** The hash is not argon2id v19, or any of its parameters is below the policy: rehash it. */
export function needsRehash(phc: string): boolean {
  try {
    const p = parseOptions(phc);
    return (
      p.algorithm !== Algorithm.Argon2id ||
      !phc.startsWith('$argon2id$v=19$') ||
      p.memoryCost < ARGON2_POLICY.memoryCost ||
      p.timeCost < ARGON2_POLICY.timeCost ||
      p.parallelism < ARGON2_POLICY.parallelism
    );
  } catch {
    return true;
  }
}

/**
 * A hash of a random password at the policy's parameters, to verify against when the username
 * is unknown: a failed login then costs the same whether or not the account exists.
 */
export const dummyHash = (): Promise<string> => hashPassword(randomBytes(16).toString('base64url'));
