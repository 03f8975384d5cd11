// Equivalence checksums for benchmark outputs: the idea of /work/shared/bench/check.py (row count
// + a checksum that ignores quoting style and row order), made tolerant of number formatting and
// streaming so it works on 10M-row files.
//
// For one CSV file it computes, in one pass:
//   rows       data rows (header excluded)
//   raw        SHA-256 of the raw bytes (equal raw => byte-identical files)
//   canonical  order-independent checksum: every data row is parsed (RFC 4180), each field that
//              is a plain decimal number is normalised (1234.50 -> 1234.5, 17.0 -> 17, -0.00 -> 0),
//              the row is serialised unambiguously (fields joined by U+001F), hashed to 64 bits, and
//              the row hashes are summed mod 2^32 per half (a multiset hash, so row order does not
//              matter); the header is hashed in and the row count appended.
//   ordered    SHA-256 of the same normalised rows in file order (catches wrong row order).
// Quoting style, `""` vs empty, and CRLF vs LF do not change canonical/ordered.
//
// "Plain decimal number" = /^[+-]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/ (no leading
// zeros), so text such as the zip 01234 or the phone +1 555 … is never touched.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

const NUMBER = /^[+-]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

export function normaliseField(f) {
  if (f.length === 0 || f.length > 40) return f;
  const c = f.charCodeAt(0);
  // fast reject: must start with a digit or a sign
  if (!((c >= 48 && c <= 57) || c === 45 || c === 43)) return f;
  if (!NUMBER.test(f)) return f;
  const n = Number(f);
  return Object.is(n, -0) ? '0' : String(n);
}

// Two independent 32-bit string hashes (FNV-1a style over UTF-16 code units, murmur3 finaliser),
// left in hA/hB to avoid allocating.
let hA = 0;
let hB = 0;
function fmix(h) {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
function hash64(s) {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  hA = fmix(a);
  hB = fmix(b ^ a);
}

// A row is serialised as its fields joined by U+001F, rows separated by U+001E. A field that
// itself contains U+001E or U+001F is written as its JSON string instead, so the serialisation
// stays unambiguous (fields are only inspected once such a character has been seen in the file).
const FIELD_SEP = '\u001f';
const ROW_SEP = '\u001e';
const escapeField = (f) => (f.includes(FIELD_SEP) || f.includes(ROW_SEP) ? JSON.stringify(f) : f);

const START = 0; // at the start of a field
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3; // saw `"` inside a quoted field: `""` escape or the closing quote

/** Incremental RFC 4180 parser (`,`, `"`, `""`, LF or CRLF); calls onRow(fields) per record. */
export class CsvParser {
  constructor(onRow) {
    this.onRow = onRow;
    this.state = START;
    this.fields = [];
    this.cur = '';
    this.afterCR = false;
  }

  push(s) {
    const n = s.length;
    let i = 0;
    let st = this.state;
    let cur = this.cur;
    if (this.afterCR && n > 0) {
      if (s.charCodeAt(0) === 10) i = 1;
      this.afterCR = false;
    }
    while (i < n) {
      if (st === QUOTED) {
        const j = s.indexOf('"', i);
        if (j < 0) {
          cur += s.slice(i);
          i = n;
          break;
        }
        cur += s.slice(i, j);
        i = j + 1;
        st = QUOTE_IN_QUOTED;
        continue;
      }
      if (st === QUOTE_IN_QUOTED) {
        if (s.charCodeAt(i) === 34) {
          cur += '"';
          i++;
          st = QUOTED;
          continue;
        }
        st = UNQUOTED; // closing quote; what follows should be a delimiter (lenient otherwise)
      } else if (st === START) {
        const c0 = s.charCodeAt(i);
        if (c0 === 34) {
          st = QUOTED;
          i++;
          continue;
        }
        if ((c0 === 10 || c0 === 13) && this.fields.length === 0 && cur === '') {
          // blank line: skipped, like Python's csv module
          i++;
          if (c0 === 13) {
            if (i < n) {
              if (s.charCodeAt(i) === 10) i++;
            } else this.afterCR = true;
          }
          continue;
        }
        st = UNQUOTED;
      }
      // UNQUOTED: scan to the next `,` LF or CR
      let j = i;
      let c = 0;
      while (j < n) {
        c = s.charCodeAt(j);
        if (c === 44 || c === 10 || c === 13) break;
        j++;
      }
      if (j > i) cur += s.slice(i, j);
      if (j === n) {
        i = n;
        break;
      }
      this.fields.push(cur);
      cur = '';
      st = START;
      i = j + 1;
      if (c !== 44) {
        const row = this.fields;
        this.fields = [];
        this.onRow(row);
        if (c === 13) {
          if (i < n) {
            if (s.charCodeAt(i) === 10) i++;
          } else this.afterCR = true;
        }
      }
    }
    this.state = st;
    this.cur = cur;
  }

  end() {
    if (this.state === QUOTED) throw new Error('unterminated quoted field at end of file');
    if (this.state !== START || this.fields.length > 0 || this.cur !== '') {
      this.fields.push(this.cur);
      const row = this.fields;
      this.fields = [];
      this.cur = '';
      this.state = START;
      this.onRow(row);
    }
  }
}

/** Checksums of one CSV file (see the top of this file). */
export async function csvDigest(file, { normalise = true } = {}) {
  const raw = createHash('sha256');
  const ordered = createHash('sha256');
  let sumA = 0;
  let sumB = 0;
  let rows = 0;
  let header;
  let headerLine = '';
  let sawCtl = false;
  let pending = [];
  const parser = new CsvParser((fields) => {
    if (sawCtl) for (let k = 0; k < fields.length; k++) fields[k] = escapeField(fields[k]);
    if (header === undefined) {
      header = fields;
      headerLine = fields.join(FIELD_SEP);
      ordered.update(headerLine + ROW_SEP);
      return;
    }
    if (normalise) for (let k = 0; k < fields.length; k++) fields[k] = normaliseField(fields[k]);
    const line = fields.join(FIELD_SEP);
    hash64(line);
    sumA = (sumA + hA) >>> 0;
    sumB = (sumB + hB) >>> 0;
    rows++;
    pending.push(line);
    if (pending.length >= 4096) {
      ordered.update(pending.join(ROW_SEP) + ROW_SEP);
      pending = [];
    }
  });
  const decoder = new StringDecoder('utf8');
  const stream = fs.createReadStream(file, { highWaterMark: 4 << 20 });
  const feed = (s) => {
    if (!sawCtl && (s.includes(FIELD_SEP) || s.includes(ROW_SEP))) sawCtl = true;
    parser.push(s);
  };
  let first = true;
  for await (const buf of stream) {
    raw.update(buf);
    let s = decoder.write(buf);
    if (first && s.length > 0) {
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      first = false;
    }
    feed(s);
  }
  feed(decoder.end());
  parser.end();
  if (pending.length > 0) ordered.update(pending.join(ROW_SEP) + ROW_SEP);
  hash64(headerLine);
  const canonical =
    ((sumA ^ hA) >>> 0).toString(16).padStart(8, '0') +
    ((sumB ^ hB) >>> 0).toString(16).padStart(8, '0') +
    ':' +
    rows.toString(16);
  return {
    rows,
    header: header ?? [],
    raw: raw.digest('hex').slice(0, 16),
    canonical,
    ordered: ordered.digest('hex').slice(0, 16),
  };
}
