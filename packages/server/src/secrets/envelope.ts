import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SecretsError } from './errors.js';
import type { SecretsKey } from './key.js';

/**
 * Envelope encryption of one secret value (Grafana's and Google Tink's model):
 * - a fresh random 256-bit data key (DEK) per value encrypts it with AES-256-GCM;
 * - the operator's key (KEK) wraps the DEK with AES-256-GCM;
 * - both carry the same additional authenticated data (AAD): what the value is (record name,
 *   field, and the record's other settings). A value moved to another record or field, a
 *   wrapped key swapped between values, or a setting changed beside it (the host a password
 *   is sent to) fails GCM's tag check instead of decrypting.
 * Random 96-bit IVs; a key never encrypts more than two messages of its own (the DEK one, the
 * KEK one per value), far below GCM's random-IV limit.
 */
export const sealedSchema = z.strictObject({
  v: z.literal(1),
  alg: z.literal('A256GCM'),
  /** Id of the KEK that wrapped the DEK. */
  kid: z.string(),
  /** The wrapped DEK: IV (12) ‖ ciphertext (32) ‖ tag (16), base64. */
  dek: z.string(),
  iv: z.string(),
  data: z.string(),
  tag: z.string(),
});
export type Sealed = z.infer<typeof sealedSchema>;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const DEK_BYTES = 32;
const WRAP_LABEL = Buffer.from('\u0000tidyvault-dek');

function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer): { iv: Buffer; data: Buffer; tag: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, data, tag: cipher.getAuthTag() };
}

/** Throws (GCM authentication) unless `data` was made by encrypt() with this key and AAD. */
function decrypt(key: Buffer, iv: Buffer, data: Buffer, tag: Buffer, aad: Buffer): Buffer {
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('malformed');
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

export function seal(kek: SecretsKey, plaintext: string, aad: Buffer): Sealed {
  const dek = randomBytes(DEK_BYTES);
  const text = Buffer.from(plaintext, 'utf8');
  try {
    const value = encrypt(dek, text, aad);
    const wrapped = encrypt(kek.bytes, dek, Buffer.concat([aad, WRAP_LABEL]));
    return {
      v: 1,
      alg: 'A256GCM',
      kid: kek.id,
      dek: Buffer.concat([wrapped.iv, wrapped.data, wrapped.tag]).toString('base64'),
      iv: value.iv.toString('base64'),
      data: value.data.toString('base64'),
      tag: value.tag.toString('base64'),
    };
  } finally {
    dek.fill(0);
    text.fill(0);
  }
}

/**
 * The value, if `kek` is the key it was sealed with and nothing about it changed. `what` names
 * the value in messages ("the password of pg.sales").
 */
export function open(kek: SecretsKey, sealed: Sealed, aad: Buffer, what: string): string {
  if (sealed.kid !== kek.id)
    throw new SecretsError(
      'WRONG_KEY',
      `${what} was encrypted with another secrets key (id ${sealed.kid}), not the one given (id ${kek.id}, from ${kek.source})`,
    );
  let dek: Buffer;
  try {
    const w = Buffer.from(sealed.dek, 'base64');
    dek = decrypt(
      kek.bytes,
      w.subarray(0, IV_BYTES),
      w.subarray(IV_BYTES, w.length - TAG_BYTES),
      w.subarray(w.length - TAG_BYTES),
      Buffer.concat([aad, WRAP_LABEL]),
    );
  } catch {
    throw tampered(what);
  }
  try {
    const text = decrypt(
      dek,
      Buffer.from(sealed.iv, 'base64'),
      Buffer.from(sealed.data, 'base64'),
      Buffer.from(sealed.tag, 'base64'),
      aad,
    );
    const value = text.toString('utf8');
    text.fill(0);
    return value;
  } catch {
    throw tampered(what);
  } finally {
    dek.fill(0);
  }
}

const tampered = (what: string) =>
  new SecretsError(
    'TAMPERED',
    `${what} does not decrypt: the secrets file was altered (a value moved, swapped or edited, or a setting changed without the key); set it again with 'tidyvault secrets set'`,
  );
