import { TidyvaultError } from '../../errors.js';
import { NEAREST_NEIGHBOUR_METHODS, type ClusterMethod, type ClusterParams } from '../methods.js';
import { colognePhonetic } from './cologne-phonetic.js';
import { daitchMokotoff } from './daitch-mokotoff.js';
import { fingerprint, ngramFingerprint } from './fingerprint.js';

export { colognePhonetic } from './cologne-phonetic.js';
export { daitchMokotoff, daitchMokotoffSoundex } from './daitch-mokotoff.js';
export { fingerprint, fingerprintNormalize, ngramFingerprint } from './fingerprint.js';

/** A key-collision keyer: values with equal keys fall in one cluster. */
export type Keyer = (value: string) => string;

/**
 * The key-collision keyers implemented here, by method. `metaphone3` is a key-collision method
 * too but has no faithful implementation yet: `keyerFor` reports it as unavailable.
 */
const KEYERS: Partial<Record<ClusterMethod, (params: ClusterParams) => Keyer>> = {
  fingerprint: () => fingerprint,
  'ngram-fingerprint': (p) => {
    const n = p?.ngramSize ?? 2;
    return (v) => ngramFingerprint(v, n);
  },
  'cologne-phonetic': () => colognePhonetic,
  'daitch-mokotoff': () => daitchMokotoff,
};

export function availableKeyers(): ClusterMethod[] {
  return Object.keys(KEYERS) as ClusterMethod[];
}

export function hasKeyer(method: ClusterMethod): boolean {
  return KEYERS[method] !== undefined;
}

/** The keyer for a key-collision method; throws RECIPE_UNSUPPORTED for any other method. */
export function keyerFor(method: ClusterMethod, params: ClusterParams): Keyer {
  const make = KEYERS[method];
  if (!make)
    throw new TidyvaultError('RECIPE_UNSUPPORTED', unavailableMessage(method, NEAREST_NEIGHBOUR_METHODS));
  return make(params);
}

/** `also`: the other methods that work where the method was asked for (clustering takes nearest-neighbour ones too). */
export function unavailableMessage(method: ClusterMethod, also: readonly ClusterMethod[] = []): string {
  return `clustering method "${method}" is not available yet (available: ${[...availableKeyers(), ...also].join(', ')})`;
}

/**
 * Keys are compared for equality only. A key that is not well-formed UTF-16 (an n-gram may cut a
 * surrogate pair in two) cannot be stored as VARCHAR unchanged, so such keys, and any key
 * containing U+FFFF, are stored with U+FFFF followed by four hex digits in place of each lone
 * surrogate and of each U+FFFF: the mapping stays one-to-one.
 */
const NEEDS_ESCAPE = /[\p{Cs}\uFFFF]/u;

export function storableKey(key: string): string {
  if (!NEEDS_ESCAPE.test(key)) return key;
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const high = c >= 0xd800 && c <= 0xdbff;
    const low = c >= 0xdc00 && c <= 0xdfff;
    if (high && i + 1 < key.length) {
      const d = key.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += key[i]! + key[i + 1]!;
        i++;
        continue;
      }
    }
    if (high || low || c === 0xffff) out += '\uFFFF' + c.toString(16).toUpperCase().padStart(4, '0');
    else out += key[i]!;
  }
  return out;
}

/** Keys of distinct values, ready to store. */
export function computeKeys(
  method: ClusterMethod,
  params: ClusterParams,
  values: readonly string[],
): string[] {
  const keyer = keyerFor(method, params);
  const out = new Array<string>(values.length);
  // Only n-grams can cut a surrogate pair; the other keys are well-formed and have no U+FFFF
  // unless the value had one.
  const escape = method === 'ngram-fingerprint';
  for (let i = 0; i < values.length; i++) {
    const k = keyer(values[i]!);
    out[i] = escape || k.includes('\uFFFF') ? storableKey(k) : k;
  }
  return out;
}
