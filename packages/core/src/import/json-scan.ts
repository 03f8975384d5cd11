import { TidyvaultError } from '../errors.js';
import { Utf8Validator } from './byte-validators.js';

/*
 * One strict (RFC 8259) check of a JSON or NDJSON file, run by both engines before they load
 * it, so that the same bytes get the same verdict and the same words in the browser and on
 * the server: every syntax error, a file cut short, a record that is not an object, or bytes
 * that are not UTF-8, with the physical line and column (and the element of the array) where
 * the problem is. It reads the file in chunks and keeps no record text.
 */

export type JsonFormat = 'json' | 'ndjson';

/** What DuckDB's json_type calls a top-level value that is not an object. */
export type JsonKind = 'array' | 'varchar' | 'ubigint' | 'bigint' | 'double' | 'boolean' | 'null';

const KIND_WORDS: Record<JsonKind, string> = {
  array: 'an array',
  varchar: 'a string',
  ubigint: 'a number',
  bigint: 'a number',
  double: 'a number',
  boolean: 'true or false',
  null: 'null',
};

/** A value that is not an object, in a user's words (not DuckDB's type names). */
export const notAnObject = (kind: JsonKind): string => `${KIND_WORDS[kind]}, not an object`;

export interface JsonProblem {
  kind: 'syntax' | 'not-object' | 'encoding';
  /** 1-based physical line (LF, CRLF and lone CR each end one). */
  line: number;
  /** 1-based, in characters (code points) from the start of the line. */
  column: number;
  /** JSON: the 1-based element of the array the problem is in. */
  element?: number;
  /** JSON: the element the problem follows, when it is between elements. */
  afterElement?: number;
  /** 0-based byte of the file (encoding problems). */
  byteOffset?: number;
  /** What is wrong; never quotes the file's content. */
  detail: string;
  /** not-object: what the record is instead. */
  valueKind?: JsonKind;
}

export class JsonScanError extends Error {
  constructor(readonly problem: JsonProblem) {
    super(problem.detail);
    this.name = 'JsonScanError';
  }
}

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** DuckDB's json_type of a number token: integers that fit 64 bits, else DOUBLE. */
export function jsonNumberKind(token: string): JsonKind {
  if (/[.eE]/.test(token)) return 'double';
  const n = BigInt(token);
  if (token.startsWith('-')) return n >= INT64_MIN ? 'bigint' : 'double';
  return n <= UINT64_MAX ? 'ubigint' : 'double';
}

// Where the scanner is.
const TOP = 0; // JSON: before '['; NDJSON: between records
const TOP_AFTER = 1; // JSON: after ']'; NDJSON: after the record on this line
const VALUE = 2; // a value must follow (after ':' or ',' in an array)
const ARRAY_FIRST = 3; // after '[': a value or ']'
const OBJECT_FIRST = 4; // after '{': a key or '}'
const KEY = 5; // after ',' in an object
const COLON = 6;
const AFTER = 7; // after a value in a container: ',' or its end
const STRING = 8;
const ESCAPE = 9;
const UNICODE = 10;
const LITERAL = 11;
const N_MINUS = 12;
const N_ZERO = 13;
const N_INT = 14;
const N_DOT = 15;
const N_FRAC = 16;
const N_E = 17;
const N_E_SIGN = 18;
const N_EXP = 19;

const LITERALS: Record<string, string> = { t: 'true', f: 'false', n: 'null' };

const isDigit = (c: number) => c >= 48 && c <= 57;
const HALF_PAIR = 'half of a surrogate pair in a string (a \\uD800–\\uDFFF escape without its other half)';
const isHex = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

export class JsonScanner {
  private readonly validator = new Utf8Validator(0);
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private bytes = 0;
  private state = TOP;
  /** Open containers: true for an object. */
  private readonly stack: boolean[] = [];
  private stringIsKey = false;
  /** Reading a key of the record's own object: its text so far (escapes as written). */
  private recordKey: string | undefined;
  /** The keys of the record's own object, to refuse one given twice. */
  private readonly recordKeys = new Set<string>();
  private hexLeft = 0;
  private hexValue = 0;
  /** A \u escape of the high half of a surrogate pair was just read. */
  private highSurrogate = false;
  private literal = '';
  private literalAt = 0;
  private line = 1;
  /** Characters (code points) read on this line. */
  private column = 0;
  private afterCR = false;
  /** Where the line a CR just ended stopped, should an LF after it end an NDJSON record too soon. */
  private crLine = 0;
  private crColumn = 0;
  private atFileStart = true;
  /** Records (JSON: elements of the array) begun so far. */
  records = 0;
  private recordLine = 0;
  private recordFirst = 0;
  private numberToken = '';

  constructor(private readonly format: JsonFormat) {}

  /** The text of `chunk` (decoded); throws JsonScanError at the first problem. */
  push(chunk: Uint8Array): string {
    const invalid = this.validator.push(chunk);
    if (invalid) {
      const valid = chunk.subarray(0, Math.max(0, invalid.byteOffset - this.bytes));
      this.scan(this.decoder.decode(valid, { stream: true }));
      this.encodingProblem(invalid.byteOffset, invalid.line);
    }
    this.bytes += chunk.length;
    const text = this.decoder.decode(chunk, { stream: true });
    this.scan(text);
    return text;
  }

  /** The end of the file: the last text, or the problem of a file cut short. */
  finish(): string {
    const invalid = this.validator.finish();
    if (invalid) this.encodingProblem(invalid.byteOffset, invalid.line);
    const text = this.decoder.decode();
    this.scan(text);
    if (this.state >= N_MINUS) this.endNumber();
    if (this.state !== TOP && this.state !== TOP_AFTER) this.fail(this.cutShort());
    return text;
  }

  private cutShort(): string {
    const inArray = this.format === 'json' && this.stack.length === 1;
    const what =
      inArray && this.state === AFTER
        ? "the array is never closed (expected ',' or ']')"
        : inArray && this.state === ARRAY_FIRST
          ? "the array is never closed (expected an object or ']')"
          : inArray && this.state === VALUE
            ? "expected another element after ','"
            : this.state === STRING || this.state === ESCAPE || this.state === UNICODE
              ? 'inside a string'
              : 'inside a value';
    return `the file ends unexpectedly: ${what}`;
  }

  private encodingProblem(byteOffset: number, line: number): never {
    throw new JsonScanError({
      kind: 'encoding',
      line,
      column: 0,
      byteOffset,
      detail: `byte ${byteOffset + 1} is not valid UTF-8`,
    });
  }

  /** A problem at the character being read (or the end of the text). */
  private fail(detail: string, line = this.line, column = this.column + 1): never {
    const p: JsonProblem = { kind: 'syntax', line, column, detail };
    if (this.format === 'json' && this.stack.length >= 1) {
      const between =
        this.stack.length === 1 &&
        (this.state === AFTER || this.state === VALUE || this.state === ARRAY_FIRST);
      if (!between) p.element = this.records;
      else if (this.records > 0) p.afterElement = this.records;
    }
    throw new JsonScanError(p);
  }

  private get recordDepth(): number {
    return this.format === 'json' ? 1 : 0;
  }

  private startValue(c: number): void {
    if (this.stack.length === this.recordDepth) {
      this.records++;
      this.recordLine = this.line;
      this.recordFirst = c;
      this.numberToken = '';
      this.recordKeys.clear();
    }
  }

  /** A value has ended (the character that ended it is not read yet, or was its last one). */
  /** A `]` or `}` ends its container: the document (JSON's outer array) or the value it was. */
  private close(json: boolean): void {
    this.stack.pop();
    this.column++;
    if (json && this.stack.length === 0) this.state = TOP_AFTER;
    else this.endValue();
  }

  private endValue(): void {
    if (this.stack.length === this.recordDepth && this.recordFirst !== 123) {
      const c = this.recordFirst;
      const valueKind: JsonKind =
        c === 91
          ? 'array'
          : c === 34
            ? 'varchar'
            : c === 116 || c === 102
              ? 'boolean'
              : c === 110
                ? 'null'
                : jsonNumberKind(this.numberToken);
      const p: JsonProblem = {
        kind: 'not-object',
        line: this.recordLine,
        column: 0,
        detail: notAnObject(valueKind),
        valueKind,
      };
      if (this.format === 'json') p.element = this.records;
      throw new JsonScanError(p);
    }
    this.state = this.stack.length === 0 ? TOP_AFTER : AFTER;
  }

  /** A key of the record's own object has ended: DuckDB would keep one of its two values. */
  private endRecordKey(): void {
    const key = this.recordKey!;
    this.recordKey = undefined;
    if (this.recordKeys.has(key))
      this.fail('an object with the same key twice (which of its values to keep is not clear)');
    this.recordKeys.add(key);
  }

  private endNumber(): void {
    if (this.state !== N_ZERO && this.state !== N_INT && this.state !== N_FRAC && this.state !== N_EXP)
      this.fail('an incomplete number');
    this.endValue();
  }

  private scan(s: string): void {
    const json = this.format === 'json';
    let i = 0;
    if (this.atFileStart && s.length > 0) {
      this.atFileStart = false;
      if (s.charCodeAt(0) === 0xfeff) {
        if (!json) this.fail('a byte-order mark at the start (NDJSON does not allow one)');
        i = 1;
      }
    }
    while (i < s.length) {
      const c = s.charCodeAt(i);
      const state = this.state;
      if (state >= N_MINUS) {
        const top = this.stack.length === this.recordDepth;
        let next = -1;
        if (isDigit(c)) {
          if (state === N_MINUS) next = c === 48 ? N_ZERO : N_INT;
          else if (state === N_ZERO) this.fail('a number with a leading zero');
          else next = state === N_DOT ? N_FRAC : state === N_E || state === N_E_SIGN ? N_EXP : state;
        } else if (c === 46 && (state === N_ZERO || state === N_INT)) next = N_DOT;
        else if ((c === 101 || c === 69) && (state === N_ZERO || state === N_INT || state === N_FRAC))
          next = N_E;
        else if ((c === 43 || c === 45) && state === N_E) next = N_E_SIGN;
        if (next >= 0) {
          if (top) this.numberToken += s[i];
          this.state = next;
          this.column++;
          i++;
          continue;
        }
        this.endNumber();
        continue;
      }
      if (state === STRING) {
        // After \uD800–\uDBFF only the low half of the pair may come.
        if (this.highSurrogate && c !== 92) this.fail(HALF_PAIR);
        if (c === 34) {
          if (this.recordKey !== undefined) this.endRecordKey();
          this.column++;
          i++;
          if (this.stringIsKey) this.state = COLON;
          else this.endValue();
          continue;
        }
        if (c === 92) {
          if (this.recordKey !== undefined) this.recordKey += '\\';
          this.state = ESCAPE;
          this.column++;
          i++;
          continue;
        }
        let j = i;
        let column = this.column;
        for (let d = c; d !== 34 && d !== 92; d = s.charCodeAt(++j)) {
          if (d < 0x20) {
            this.column = column;
            this.fail('a control character inside a string (it must be escaped)');
          }
          if (d < 0xdc00 || d > 0xdfff) column++;
          if (j + 1 === s.length) {
            j++;
            break;
          }
        }
        this.column = column;
        if (this.recordKey !== undefined) this.recordKey += s.slice(i, j);
        i = j;
        continue;
      }
      if (state === ESCAPE) {
        if (this.recordKey !== undefined) this.recordKey += s[i];
        if (this.highSurrogate && c !== 117) this.fail(HALF_PAIR);
        if (c === 117) {
          this.state = UNICODE;
          this.hexLeft = 4;
          this.hexValue = 0;
        } else if (
          c === 34 ||
          c === 92 ||
          c === 47 ||
          c === 98 ||
          c === 102 ||
          c === 110 ||
          c === 114 ||
          c === 116
        )
          this.state = STRING;
        else this.fail('an invalid escape in a string');
        this.column++;
        i++;
        continue;
      }
      if (state === UNICODE) {
        if (!isHex(c)) this.fail('an invalid \\u escape in a string (it needs four hex digits)');
        if (this.recordKey !== undefined) this.recordKey += s[i];
        this.hexValue = this.hexValue * 16 + parseInt(String.fromCharCode(c), 16);
        if (--this.hexLeft === 0) {
          this.state = STRING;
          const low = this.hexValue >= 0xdc00 && this.hexValue <= 0xdfff;
          if (low !== this.highSurrogate) this.fail(HALF_PAIR);
          this.highSurrogate = this.hexValue >= 0xd800 && this.hexValue <= 0xdbff;
        }
        this.column++;
        i++;
        continue;
      }
      if (state === LITERAL) {
        if (c !== this.literal.charCodeAt(this.literalAt))
          this.fail(`an invalid literal (expected ${this.literal})`);
        this.column++;
        i++;
        if (++this.literalAt === this.literal.length) this.endValue();
        continue;
      }
      // Between tokens.
      if (c === 10 || c === 13) {
        if (c === 10 && !json) {
          if (state === TOP_AFTER) this.state = TOP;
          else if (state !== TOP) {
            const [line, column] = this.afterCR ? [this.crLine, this.crColumn] : [this.line, this.column + 1];
            this.fail('the line ends before the record is complete', line, column);
          }
        }
        if (c === 13) {
          this.crLine = this.line;
          this.crColumn = this.column + 1;
        }
        if (c === 13 || !this.afterCR) this.line++;
        this.afterCR = c === 13;
        this.column = 0;
        i++;
        continue;
      }
      this.afterCR = false;
      if (c === 32 || c === 9) {
        this.column++;
        i++;
        continue;
      }
      switch (state) {
        case TOP:
          if (json) {
            if (c !== 91)
              this.fail(
                c === 123
                  ? 'it is one object, not an array of them ([{…}, {…}]); a file of one object per line is NDJSON (.ndjson)'
                  : "it does not start with '['",
              );
            this.stack.push(false);
            this.state = ARRAY_FIRST;
            break;
          }
          this.value(c);
          break;
        case TOP_AFTER:
          this.fail(
            json ? 'more text after the end of the array' : 'more text after the record on this line',
          );
          break;
        case VALUE:
        case ARRAY_FIRST:
          if (c === 93 && !this.stack[this.stack.length - 1]) {
            if (state === VALUE) this.fail("a trailing comma before ']'");
            this.close(json);
            i++;
            continue;
          }
          this.value(c);
          break;
        case OBJECT_FIRST:
        case KEY:
          if (c === 125 && state === OBJECT_FIRST) {
            this.close(json);
            i++;
            continue;
          }
          if (c !== 34)
            this.fail(
              c === 125 ? "a trailing comma before '}'" : 'expected a key (a string in double quotes)',
            );
          this.state = STRING;
          this.stringIsKey = true;
          if (this.stack.length === this.recordDepth + 1) this.recordKey = '';
          break;
        case COLON:
          if (c !== 58) this.fail("expected ':' after the key");
          this.state = VALUE;
          break;
        case AFTER: {
          const object = this.stack[this.stack.length - 1];
          if (c === 44) this.state = object ? KEY : VALUE;
          else if (c === (object ? 125 : 93)) {
            this.close(json);
            i++;
            continue;
          } else this.fail(object ? "expected ',' or '}'" : "expected ',' or ']'");
          break;
        }
      }
      if (c < 0xdc00 || c > 0xdfff) this.column++;
      i++;
    }
  }

  /** The first character of a value (the scanner is on it; the caller moves past it). */
  private value(c: number): void {
    if (!(c === 123 || c === 91 || c === 34 || c === 116 || c === 102 || c === 110 || c === 45 || isDigit(c)))
      this.fail(c === 44 ? 'an empty value (two commas, or a comma first)' : 'expected a value');
    this.startValue(c);
    if (c === 123) {
      this.stack.push(true);
      this.state = OBJECT_FIRST;
    } else if (c === 91) {
      this.stack.push(false);
      this.state = ARRAY_FIRST;
    } else if (c === 34) {
      this.state = STRING;
      this.stringIsKey = false;
    } else if (c === 116 || c === 102 || c === 110) {
      this.literal = LITERALS[String.fromCharCode(c)]!;
      this.literalAt = 1;
      this.state = LITERAL;
    } else {
      if (this.stack.length === this.recordDepth) this.numberToken = String.fromCharCode(c);
      this.state = c === 45 ? N_MINUS : c === 48 ? N_ZERO : N_INT;
    }
  }
}

/** The Tidyvault error for a problem the scanner found in the file named `name`. */
export function jsonImportError(name: string, format: JsonFormat, p: JsonProblem): TidyvaultError {
  const label = format === 'json' ? 'JSON' : 'NDJSON';
  if (p.kind === 'encoding')
    return new TidyvaultError(
      'IMPORT_ENCODING',
      `${name}: line ${p.line}: ${p.detail} (${label} must be UTF-8 text)`,
      { file: name, line: p.line },
    );
  if (p.kind === 'not-object') {
    const message =
      format === 'json'
        ? `element ${p.element} of the array is ${p.detail} (line ${p.line}; expected an array of objects)`
        : `line ${p.line} is ${p.detail} (expected one object per line)`;
    return new TidyvaultError('IMPORT_FORMAT', `${name}: ${message}`, {
      file: name,
      line: p.line,
      ...(p.element === undefined ? {} : { row: p.element }),
    });
  }
  const hint = format === 'json' ? 'expected a JSON array of objects' : 'expected one JSON object per line';
  const element =
    p.element !== undefined
      ? ` (element ${p.element} of the array)`
      : p.afterElement !== undefined
        ? ` (after element ${p.afterElement} of the array)`
        : '';
  return new TidyvaultError(
    'IMPORT_FORMAT',
    `${name}: not valid ${label} (${hint}): line ${p.line}, column ${p.column}${element}: ${p.detail}`,
    { file: name, line: p.line, ...(p.element === undefined ? {} : { row: p.element }) },
  );
}
