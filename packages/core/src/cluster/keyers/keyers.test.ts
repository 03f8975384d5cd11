import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { colognePhonetic } from './cologne-phonetic.js';
import { daitchMokotoff, daitchMokotoffSoundex } from './daitch-mokotoff.js';
import { fingerprint, fingerprintNormalize, ngramFingerprint } from './fingerprint.js';
import { computeKeys, keyerFor, storableKey } from './index.js';

interface Vectors {
  fingerprint: { cases: { value: string; key: string }[] };
  'ngram-fingerprint': { cases: { value: string; ngramSize: number; key: string }[] };
  'cologne-phonetic': {
    cases: { value: string; key: string }[];
    sameKey: [string, string][];
    variations: { key: string; values: string[] }[];
  };
  'daitch-mokotoff': {
    encode: { value: string; key: string }[];
    soundex: { value: string; codes: string }[];
    openrefine: { cases: { value: string; key: string }[] };
  };
}

const vectors = JSON.parse(
  fs.readFileSync(new URL('../../../../../fixtures/cluster/openrefine-keyers.json', import.meta.url), 'utf8'),
) as Vectors;

describe("OpenRefine's own test vectors (fixtures/cluster/openrefine-keyers.json)", () => {
  it.each(vectors.fingerprint.cases)('fingerprint %j', ({ value, key }) => {
    expect(fingerprint(value)).toBe(key);
  });
  it.each(vectors['ngram-fingerprint'].cases)('ngram-fingerprint %j', ({ value, ngramSize, key }) => {
    expect(ngramFingerprint(value, ngramSize)).toBe(key);
  });
  it.each(vectors['cologne-phonetic'].cases)('cologne-phonetic %j', ({ value, key }) => {
    expect(colognePhonetic(value)).toBe(key);
  });
  it('cologne-phonetic: equal keys and variations', () => {
    for (const [a, b] of vectors['cologne-phonetic'].sameKey) {
      if (a === 'Miyagi' || a === 'ganz' || (a === 'Meyer' && b !== 'Mayr')) continue; // codec's test asserts nothing for these
      expect(colognePhonetic(a)).toBe(colognePhonetic(b));
    }
    for (const { key, values } of vectors['cologne-phonetic'].variations) {
      for (const v of values) expect(colognePhonetic(v)).toBe(key);
    }
  });
});

/**
 * Steps 1–5 as written (fingerprintNormalize), then Java's split (leading empty token kept,
 * trailing ones dropped), sort, distinct: the reference the one-pass scanner is checked against.
 */
function plainFingerprint(s: string): string {
  const tokens = fingerprintNormalize(s).split(
    /[\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+/,
  );
  while (tokens.length > 0 && tokens[tokens.length - 1] === '') tokens.pop();
  return [...new Set(tokens)].sort().join(' ');
}

describe("daitch-mokotoff: commons-codec's and OpenRefine's own test vectors", () => {
  const dm = vectors['daitch-mokotoff'];
  it.each(dm.encode)('encode %j', ({ value, key }) => {
    expect(daitchMokotoff(value)).toBe(key);
  });
  it.each(dm.openrefine.cases)("OpenRefine's DaitchMokotoffKeyer %j", ({ value, key }) => {
    expect(daitchMokotoff(value)).toBe(key);
  });
  // soundex lists every branch; the first is the one encode (the keyer) follows
  it.each(dm.soundex)('soundex %j', ({ value, codes }) => {
    expect(daitchMokotoffSoundex(value)).toBe(codes);
    expect(daitchMokotoff(value)).toBe(codes.split('|')[0]);
  });
});

describe('daitch-mokotoff: Unicode, empty and edge cases (derived from the Java semantics)', () => {
  it.each([
    ['', '000000'],
    ['123', '000000'], // nothing to code
    ['東京', '000000'],
    ['-', '000000'],
    ['Müller', '689000'], // ü is not among the foldings: skipped, like any character outside the table
    ['Muller', '689000'],
    ['MÜLLER', '689000'],
    ['Éléonore', '086900'],
    ['ÉLÉONORE', '086900'],
    ['Straße', '294000'], // ß folds to s
    ['STRAẞE', '294000'], // capital sharp s lower-cases to ß
    ['İAN', '160000'], // simple lower-casing: İ → i, so "ia" (the full mapping i + U+0307 would give 060000)
    ['\u212Aatz', '540000'], // the Kelvin sign lower-cases to k
    ['ŢAMAS', '364000'], // Ţ → ţ, its own rule: first alternative
    ['Gęba', '570000'], // ę: first alternative is nothing
    ['Ah A', '050000'], // whitespace is dropped, so h comes before a vowel
    ['Ah\u00A0A', '000000'], // no-break spaces are not Java whitespace: they stay and separate
    ['Ah\u2007A', '000000'],
    ['Ah\u202FA', '000000'],
    ['Ah\u0085A', '000000'], // NEL is not Java whitespace
    ['Ah\u180EA', '000000'], // nor U+180E (a format character since Unicode 6.3)
    ['Ah\u3000A', '050000'],
    ['Ah\u001FA', '050000'], // U+001C–001F are
    ['S-T', '430000'], // a hyphen splits st
    ['ST', '200000'],
    ['Schwarzenegger', '474659'],
    ['Amnn', '066600'], // n right after the m of "mn" is coded again
    ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB', '070000'],
    ['Kowalczyk-Wiśniewska-Zielińska', '578457'], // cz before y (not a vowel); cut at six digits
    ['Ahy', '000000'], // y is not a vowel: h codes nothing before it
    ['Rzepka', '475000'], // rz at the start: first alternative 4
  ])('%j → %j', (value, key) => {
    expect(daitchMokotoff(value)).toBe(key);
  });

  it.each([
    ['ß', 's'],
    ...[...'àáâãäåæ'].map((c) => [c, 'a']),
    ['ç', 'c'],
    ['ć', 'c'],
    ...[...'èéêë'].map((c) => [c, 'e']),
    ...[...'ìíîï'].map((c) => [c, 'i']),
    ['ð', 'd'],
    ['ñ', 'n'],
    ...[...'òóôõöø'].map((c) => [c, 'o']),
    ...[...'ùúû'].map((c) => [c, 'u']),
    ['ý', 'y'],
    ['ÿ', 'y'],
    ['þ', 'b'],
    ['ł', 'l'],
    ['ś', 's'],
    ['ż', 'z'],
    ['ź', 'z'],
  ])('%s folds to %s', (c, ascii) => {
    // a context where the letter changes the key: a vowel after h, y at the start, else after a
    const at = (x: string) => ('aeiou'.includes(ascii) ? `ah${x}` : ascii === 'y' ? `${x}a` : `a${x}`);
    expect(daitchMokotoff(at(c))).toBe(daitchMokotoff(at(ascii)));
    expect(daitchMokotoff(at(c.toUpperCase()))).toBe(daitchMokotoff(at(ascii)));
    expect(daitchMokotoff(at(ascii))).not.toBe(daitchMokotoff(at('-')));
  });

  it('keys are always six digits', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (s) => {
        expect(daitchMokotoff(s)).toMatch(/^[0-9]{6}$/);
      }),
    );
  });
});

describe('fingerprint: Unicode, empty and edge cases (derived from the Java semantics)', () => {
  it.each([
    ['', ''],
    ['   ', ''],
    ['\u3000\u00A0', ''],
    ['Café', 'cafe'],
    ['CAFE\u0301', 'cafe'], // combining acute (NFD input)
    ['ﬁnance Œuvre', 'finance oeuvre'],
    ['ＡＢＣ', 'abc'], // full width folds by NFKD
    ['東京 都', '東京 都'],
    ['コーヒー', 'コヒ'], // U+30FC is a modifier letter (Lm): deleted
    ['ｺｰﾋｰ', 'コヒ'], // half width → NFKD → same
    ['ガ', 'カ\u3099'], // the voiced mark U+3099 is outside U+0300–036F: kept
    ['مـحمد', 'محمد'], // tatweel U+0640 is Lm: deleted
    ['مُحَمَّد', 'مُحَمَّد'], // Arabic harakat are outside U+0300–036F: kept
    ['،سلام؟', 'سلام'], // Arabic punctuation (Po)
    ['שָׁלוֹם', 'שָׁלוֹם'],
    ['👍🏽 ok', 'ok 👍'], // skin tone modifier is Sk; UTF-16 order puts "ok" first
    ['a\u200Bb', 'a\u200Bb'], // zero-width space is not whitespace (Cf): kept
    ['\uFEFFabc', '\uFEFFabc'],
    ['a\u200Db a\u200Db', 'a\u200Db'],
    ['- a', ' a'], // punctuation left a leading space: Java's split keeps the empty first token
    ['a -', 'a'],
    ['- -', ''],
    ['a+b $5 x<y|z~', '$5 a+b x<y|z~'], // symbols (Sm, Sc) are not punctuation
    ['a^b `c`', 'ab c'], // ^ and ` are modifier symbols (Sk)
    ['AT&T', 'att'],
    ['\u0001abc\u007F\u0080\u009F', 'abc'],
    ['a\u0085b', 'a b'], // NEL is whitespace
    ['İstanbul', 'istanbul'],
    ['ℌello', 'Hello'], // lower-casing comes before NFKD, as in OpenRefine
    ['ΟΔΟΣ', 'οδος'],
    ['Ⅻ', 'xii'],
    ['b a B A', 'a b'],
    ['\uFFFD 😀', '😀 \uFFFD'], // UTF-16 order, not code point order
  ])('%j → %j', (value, key) => {
    expect(fingerprint(value)).toBe(key);
  });

  it('the one-pass scanner agrees with the plain composition on every pair of ASCII characters', () => {
    const chars: string[] = [];
    for (let c = 0; c < 0x80; c++) chars.push(String.fromCharCode(c));
    for (const a of chars)
      for (const b of chars) {
        for (const s of [`${a}x${b} ${b}Y${a}`, `${a}${b}`, `${a} ${b}q`, `é${a} ${b}`]) {
          expect(fingerprint(s), JSON.stringify(s)).toBe(plainFingerprint(s));
        }
      }
    expect(fingerprintNormalize(' A-b ')).toBe('ab');
  });

  it('the one-pass scanner agrees with the plain composition on every UTF-16 unit', () => {
    for (let c = 0; c < 0x10000; c++) {
      const u = String.fromCharCode(c);
      for (const s of [u, `${u}Ab ${u}c`, `x${u}${u} Ü${u}É-`]) {
        const got = fingerprint(s);
        if (got !== plainFingerprint(s)) expect(got, JSON.stringify(s)).toBe(plainFingerprint(s));
      }
    }
  });

  it('the one-pass scanner agrees with the plain composition on random mixed-script text', () => {
    // units that take every path: ASCII, replaced letters, marks inside and outside U+0300–036F,
    // final sigma, surrogate pairs, whitespace that NFKD makes or keeps, punctuation, modifiers
    const pool = [
      ...'aZ0 .,-^`~$\t\u00A0\u3000\u0085',
      ...'ÉéüÜßæøÅœŒﬁﬀĲŁıİℌⅫ¨´ˆʰ',
      '\u0301',
      '\u0308',
      '\u0483',
      '\u3099',
      ...'ΣσςΟΔ東京ガｶﾞコーヒー',
      ...'مـحَمَّد،שָׁלוֹם',
      '\uFDFA',
      '\u33C2',
      '\u2474',
      '\u200B',
      '\uFEFF',
      '👍',
      '🏽',
      '\uD83D',
      '\uDE00',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pool), { maxLength: 12 }), (units) => {
        const s = units.join('');
        expect(fingerprint(s), JSON.stringify(s)).toBe(plainFingerprint(s));
      }),
      { numRuns: 20_000 },
    );
  });

  it('the one-pass scanner agrees with the plain composition on long values and many tokens', () => {
    const words = fc.constantFrom('a', 'B', 'é', 'ﬃ', 'x.y', '東', ' ', ' ', '\t', '-', 'Σ');
    fc.assert(
      fc.property(fc.array(words, { minLength: 20, maxLength: 700 }), (parts) => {
        const s = parts.join('');
        expect(fingerprint(s)).toBe(plainFingerprint(s));
      }),
      { numRuns: 300 },
    );
    // k short tokens, shuffled, some twice (the scanner handles at most 32 tokens and 512 units)
    const tokens = (k: number) =>
      Array.from({ length: k }, (_, i) => ((i * 37) % (k - 3)).toString(36)).join(' ');
    for (const s of [
      tokens(32),
      tokens(33),
      tokens(34),
      tokens(120),
      'a'.repeat(512),
      'a'.repeat(513),
      'b'.repeat(511) + 'ﬃ',
    ]) {
      expect(fingerprint(s)).toBe(plainFingerprint(s));
    }
  });

  it('every BMP character that canonical reordering can move is a mark (what the scanner relies on)', () => {
    // U+0345 has the highest combining class (240): a character after it that NFD moves, or whose
    // decomposition starts with a character NFD moves, has a non-zero class
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const u = String.fromCharCode(c);
      if (/\p{M}/u.test(u)) continue;
      const probe = `a\u0345${u}`.normalize('NFD');
      if (probe !== `a\u0345${u.normalize('NFD')}`) expect.fail(`U+${c.toString(16)} is reordered`);
    }
  });
});

describe('ngram-fingerprint: edge cases', () => {
  it.each([
    ['', 2, ''],
    ['a', 2, ''], // shorter than n: the empty key
    ['ab', 2, 'ab'],
    ['Café Crème', 2, 'afcacrecemfemere'],
    ['a\u200Bb', 2, 'a\u200B\u200Bb'],
    ['東京都', 1, '京東都'],
  ])('%j (n=%i) → %j', (value, n, key) => {
    expect(ngramFingerprint(value, n)).toBe(key);
  });

  it('n-grams are UTF-16 units, so an emoji can be cut; stored keys stay one-to-one', () => {
    const k = ngramFingerprint('👍👍', 2);
    expect(k).toBe('👍\uDC4D\uD83D');
    const stored = storableKey(k);
    expect(stored).toBe('👍\uFFFFDC4D\uFFFFD83D');
    expect(storableKey('\uFFFF')).toBe('\uFFFFFFFF');
    expect(storableKey('\uFFFF' + 'DC4D')).not.toBe(storableKey('\uDC4D'));
    expect(computeKeys('ngram-fingerprint', { ngramSize: 2 }, ['👍👍'])).toEqual([stored]);
  });
});

describe('cologne-phonetic: Unicode and edge cases', () => {
  it.each([
    ['', ''],
    ['Straße', '8278'], // ß upper-cases to SS
    ['Ägypten', '04126'],
    ['Test test', '28282'], // a skipped character does not reset the previous code
    ['Testtest', '28282'],
    ['Müller', '657'],
    ['Mu\u0308ller', '657'], // combining diaeresis is skipped
    ['東京', ''],
    ['Émile', '65'], // É is outside A–Z and skipped
  ])('%j → %j', (value, key) => {
    expect(colognePhonetic(value)).toBe(key);
  });
});

describe('keyer registry', () => {
  it('has fingerprint, ngram-fingerprint (with its size), cologne-phonetic and daitch-mokotoff; metaphone3 is not available', () => {
    expect(keyerFor('fingerprint', undefined)('B a')).toBe('a b');
    expect(keyerFor('ngram-fingerprint', { ngramSize: 1 })('aba')).toBe('ab');
    expect(keyerFor('ngram-fingerprint', undefined)('aba')).toBe('abba');
    expect(keyerFor('cologne-phonetic', undefined)('Meyer')).toBe('67');
    expect(keyerFor('daitch-mokotoff', undefined)('Meyer')).toBe('619000');
    expect(() => keyerFor('metaphone3', undefined)).toThrow(/metaphone3.*not available/);
    // Clustering takes the nearest-neighbour methods too: the list of what works names them.
    expect(() => keyerFor('metaphone3', undefined)).toThrow(
      /\(available: fingerprint, ngram-fingerprint, cologne-phonetic, daitch-mokotoff, levenshtein, ppm\)$/,
    );
    expect(() => keyerFor('levenshtein', undefined)).toThrow(/not available/);
  });
});
