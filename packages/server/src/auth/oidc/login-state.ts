import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * What a sign-in started at `/auth/oidc/login` must find again at `/auth/oidc/callback`: the
 * `state`, the `nonce` and the PKCE `code_verifier` it sent to the provider, and where to go
 * afterwards. It travels in a short-lived cookie of its own (`__Host-tidyvault-oidc` under HTTPS),
 * sealed with AES-256-GCM under a key derived from the server's key: the browser holds it but
 * can neither read nor change it, and the server keeps nothing per sign-in (so starting many
 * sign-ins costs the server no memory). It binds the sign-in to the browser that started it: a
 * callback carrying someone else's `state` (login CSRF) finds no matching cookie.
 */

/** How long a started sign-in may take at the provider. */
export const LOGIN_STATE_TTL_MS = 10 * 60_000;

/** `__Host-` (Secure, Path=/, no Domain) under HTTPS; plain-http loopback cannot use the prefix. */
export const loginStateCookie = (secure: boolean): string =>
  secure ? '__Host-tidyvault-oidc' : 'tidyvault-oidc';

const pendingSchema = z.strictObject({
  state: z.string().min(1).max(200),
  nonce: z.string().min(1).max(200),
  verifier: z.string().min(43).max(128),
  next: z.string().max(2048),
  /** Epoch ms after which the sign-in is dead. */
  expiresAt: z.number().int(),
});
export type PendingLogin = z.infer<typeof pendingSchema>;

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class LoginStateSealer {
  private readonly key: Buffer;
  constructor(secretKey: Buffer) {
    this.key = Buffer.from(
      hkdfSync('sha256', secretKey, Buffer.alloc(0), 'tidyvault oidc login state v1', 32),
    );
  }

  seal(p: PendingLogin): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(p), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The pending sign-in, or undefined when the cookie is missing, forged, altered or expired. */
  open(value: string | undefined, now: number): PendingLogin | undefined {
    if (!value || value.length > 4096) return undefined;
    const raw = Buffer.from(value, 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const json = Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
      const p = pendingSchema.parse(JSON.parse(json));
      return now < p.expiresAt ? p : undefined;
    } catch {
      return undefined;
    }
  }
}
