import { jsonDouble, jsonString } from '@tidyvault/core';

/*
 * A JSON reader that keeps what DuckDB's json extension (yyjson, big numbers kept raw) makes of
 * each value, so that JSON imported in the browser is cell for cell engine-node's: strings as
 * they are, numbers and booleans as their JSON text (integers as digits, reals as yyjson spells
 * doubles, numbers no 64-bit integer or double can hold as written), nested values as minified
 * JSON, null as NULL.
 */

export class JsonSyntaxError extends Error {}

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WS = /[ \t\n\r]*/y;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/;

/** What DuckDB's json_type calls a top-level value that is not an object (lower case, as the message shows it). */
export type JsonKind = 'array' | 'varchar' | 'ubigint' | 'bigint' | 'double' | 'boolean' | 'null';

export type JsonRecord =
  { kind: 'object'; entries: [key: string, cell: string | null][] } | { kind: JsonKind };

/** A number token as yyjson writes it back. */
function numberText(raw: string): string {
  if (!/[.eE]/.test(raw)) {
    const n = BigInt(raw);
    return n >= INT64_MIN && n <= UINT64_MAX ? n.toString() : raw;
  }
  const x = Number(raw);
  return Number.isFinite(x) ? jsonDouble(x) : raw;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

class Reader {
  i = 0;
  constructor(private readonly s: string) {}

  fail(what: string): never {
    const at = this.i >= this.s.length ? 'the end of the text' : `character ${this.i + 1}`;
    throw new JsonSyntaxError(`${what} at ${at}`);
  }

  ws(): void {
    WS.lastIndex = this.i;
    WS.test(this.s);
    this.i = WS.lastIndex;
  }

  peek(): string {
    return this.s[this.i] ?? '';
  }

  string(): string {
    const s = this.s;
    let i = ++this.i;
    let out = '';
    let surrogate = false;
    for (;;) {
      const q = s.indexOf('"', i);
      const b = s.indexOf('\\', i);
      if (q < 0) this.fail('a string is never closed');
      const end = b >= 0 && b < q ? b : q;
      const plain = s.slice(i, end);
      const control = plain.search(CONTROL);
      if (control >= 0) {
        this.i = i + control;
        this.fail('a control character inside a string');
      }
      out += plain;
      if (end === q) {
        this.i = q + 1;
        // DuckDB refuses half a pair; once encoded as UTF-8 it would silently become U+FFFD.
        if (surrogate && LONE_SURROGATE.test(out))
          this.fail('a string holds half of a surrogate pair (\\uD800–\\uDFFF)');
        return out;
      }
      const c = s[b + 1];
      const simple: Record<string, string> = {
        '"': '"',
        '\\': '\\',
        '/': '/',
        b: '\b',
        f: '\f',
        n: '\n',
        r: '\r',
        t: '\t',
      };
      if (c !== undefined && c in simple) {
        out += simple[c];
        i = b + 2;
      } else if (c === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(b + 2, b + 6))) {
        const unit = parseInt(s.slice(b + 2, b + 6), 16);
        if (unit >= 0xd800 && unit <= 0xdfff) surrogate = true;
        out += String.fromCharCode(unit);
        i = b + 6;
      } else {
        this.i = b;
        this.fail('an invalid escape');
      }
    }
  }

  number(): string {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (!m) this.fail('an unexpected character');
    this.i = NUMBER.lastIndex;
    return m[0];
  }

  literal(word: 'true' | 'false' | 'null'): void {
    if (!this.s.startsWith(word, this.i)) this.fail('an unexpected character');
    this.i += word.length;
  }

  /** Any value, as minified JSON text in yyjson's spelling. */
  value(): string {
    this.ws();
    const c = this.peek();
    switch (c) {
      case '{': {
        let text = '{';
        this.container('}', () => {
          if (this.peek() !== '"') this.fail('expected a key');
          const key = this.string();
          this.ws();
          if (this.peek() !== ':') this.fail("expected ':'");
          this.i++;
          text += (text.length > 1 ? ',' : '') + jsonString(key) + ':' + this.value();
        });
        return text + '}';
      }
      case '[': {
        let text = '[';
        this.container(']', () => (text += (text.length > 1 ? ',' : '') + this.value()));
        return text + ']';
      }
      case '"':
        return jsonString(this.string());
      case 't':
      case 'f':
      case 'n':
        this.literal(c === 't' ? 'true' : c === 'f' ? 'false' : 'null');
        return c === 't' ? 'true' : c === 'f' ? 'false' : 'null';
      default:
        return numberText(this.number());
    }
  }

  /** `{…}` or `[…]`: `item` reads one member (the reader is after whitespace). */
  container(close: '}' | ']', item: () => void): void {
    this.i++;
    this.ws();
    if (this.peek() === close) {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      item();
      this.ws();
      const c = this.peek();
      this.i++;
      if (c === close) return;
      if (c !== ',') {
        this.i--;
        this.fail(`expected ',' or '${close}'`);
      }
    }
  }

  end(): void {
    this.ws();
    if (this.i < this.s.length) this.fail('more text after the value');
  }
}

/** One top-level value: an object's entries (the first of a repeated key; JsonScanner refuses a record with one first), or what else it is. */
export function readRecord(text: string): JsonRecord {
  const r = new Reader(text);
  r.ws();
  const c = r.peek();
  if (c !== '{') {
    const value = r.value();
    r.end();
    const kind: JsonKind =
      c === '['
        ? 'array'
        : c === '"'
          ? 'varchar'
          : c === 't' || c === 'f'
            ? 'boolean'
            : c === 'n'
              ? 'null'
              : /[.eE]/.test(value)
                ? 'double'
                : c === '-'
                  ? 'bigint'
                  : 'ubigint';
    return { kind };
  }
  const entries: [string, string | null][] = [];
  const seen = new Set<string>();
  r.container('}', () => {
    if (r.peek() !== '"') r.fail('expected a key');
    const key = r.string();
    r.ws();
    if (r.peek() !== ':') r.fail("expected ':'");
    r.i++;
    r.ws();
    const first = r.peek();
    let cell: string | null;
    if (first === '"') cell = r.string();
    else {
      const v = r.value();
      cell = v === 'null' && first === 'n' ? null : v;
    }
    if (!seen.has(key)) {
      seen.add(key);
      entries.push([key, cell]);
    }
  });
  r.end();
  return { kind: 'object', entries };
}

/**
 * Splits text arriving in chunks into top-level records: the elements of one JSON array, or the
 * non-blank lines of NDJSON. Element text is handed over whole, never the whole file.
 */
export class RecordSplitter {
  private buffer = '';
  /** JSON: before '[', inside (expecting an element or ']'), after ']' */
  private phase: 'before' | 'inside' | 'after' = 'before';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;
  private seen = 0;

  constructor(private readonly format: 'json' | 'ndjson') {}

  /** The complete records in `chunk` (and what was left of the last one). */
  push(chunk: string): string[] {
    return this.format === 'ndjson' ? this.lines(chunk, false) : this.elements(chunk);
  }

  /** The last records; throws when the text ends inside one (only whitespace is no records). */
  finish(): string[] {
    if (this.format === 'ndjson') return this.lines('', true);
    if (this.phase === 'inside') throw new JsonSyntaxError('the text ends before the array is closed');
    return [];
  }

  private lines(chunk: string, last: boolean): string[] {
    this.buffer += chunk;
    const parts = this.buffer.split('\n');
    this.buffer = last ? '' : parts.pop()!;
    return parts.filter((p) => p.trim() !== '');
  }

  private elements(chunk: string): string[] {
    const out: string[] = [];
    const base = this.buffer.length;
    this.buffer += chunk;
    const s = this.buffer;
    for (let i = base; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92) this.escaped = true;
        else if (c === 34) this.inString = false;
        continue;
      }
      if (this.phase === 'before') {
        if (c === 91) {
          this.phase = 'inside';
          this.start = i + 1;
        } else if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 0xfeff)
          throw new JsonSyntaxError(`expected a JSON array (it starts with [), not ${JSON.stringify(s[i])}`);
        continue;
      }
      if (this.phase === 'after') {
        if (c !== 32 && c !== 9 && c !== 10 && c !== 13)
          throw new JsonSyntaxError('more text after the array');
        continue;
      }
      if (c === 34) this.inString = true;
      else if (c === 123 || c === 91) this.depth++;
      else if ((c === 125 || c === 93) && this.depth > 0) this.depth--;
      else if (this.depth === 0 && (c === 44 || c === 93)) {
        const text = s.slice(this.start, i);
        if (text.trim() !== '') {
          out.push(text);
          this.seen++;
        } else if (c === 44 || this.seen > 0) throw new JsonSyntaxError('an empty element in the array');
        this.start = i + 1;
        if (c === 93) this.phase = 'after';
      }
    }
    // Keep only the record being read.
    if (this.phase === 'inside') {
      this.buffer = s.slice(this.start);
      this.start = 0;
    } else this.buffer = '';
    return out;
  }
}
