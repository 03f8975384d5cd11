export interface NewlineNormalizerOptions {
  /** The file's delimiter; when not given, a quote opens a field after any of , TAB ; | */
  delimiter?: string;
  quote: string | null;
}

const LF = 0x0a;
const CR = 0x0d;
const ANY_DELIMITER = [0x2c, 0x09, 0x3b, 0x7c];
const CR_OR_CRLF = /\r\n?/g;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3;

/**
 * Rewrites record terminators outside quoted fields to LF (CRLF and lone CR), leaving line breaks
 * inside quoted fields as they are. Text is pushed in chunks of any size; nothing is held back.
 * Quotes open a field only at its start and are doubled inside it, as CsvScanner reads them.
 */
export class NewlineNormalizer {
  private readonly delimiters: readonly number[];
  private readonly quote: number;
  private state = FIELD_START;
  /** The previous chunk ended with a record-ending CR already written as LF: drop a leading LF. */
  private dropLF = false;

  constructor(options: NewlineNormalizerOptions) {
    this.delimiters = options.delimiter === undefined ? ANY_DELIMITER : [options.delimiter.charCodeAt(0)];
    this.quote = options.quote === null ? -1 : options.quote.charCodeAt(0);
  }

  push(chunk: string): string {
    if (chunk.length === 0) return '';
    const skip = this.dropLF && chunk.charCodeAt(0) === LF ? 1 : 0;
    this.dropLF = false;
    const rest = skip === 0 ? chunk : chunk.slice(skip);
    if (rest.length === 0) return '';
    return this.state !== QUOTED && (this.quote < 0 || !rest.includes(String.fromCharCode(this.quote)))
      ? this.pushWithoutQuotes(rest)
      : this.pushWithQuotes(rest);
  }

  /** No field can be quoted: every line break is a record terminator. */
  private pushWithoutQuotes(chunk: string): string {
    const last = chunk.charCodeAt(chunk.length - 1);
    this.dropLF = last === CR;
    this.state = last === CR || last === LF || this.isDelimiter(last) ? FIELD_START : UNQUOTED;
    return chunk.replace(CR_OR_CRLF, '\n');
  }

  private pushWithQuotes(chunk: string): string {
    const quote = this.quote;
    const delimiters = this.delimiters;
    const single = delimiters.length === 1 ? delimiters[0]! : -1;
    const n = chunk.length;
    let state = this.state;
    let out = '';
    let from = 0;
    for (let i = 0; i < n; i++) {
      let c = chunk.charCodeAt(i);
      if (state === QUOTED) {
        while (c !== quote && ++i < n) c = chunk.charCodeAt(i);
        if (i < n) state = QUOTE_IN_QUOTED;
        continue;
      }
      if (c === CR) {
        out += chunk.slice(from, i) + '\n';
        if (i + 1 === n) this.dropLF = true;
        else if (chunk.charCodeAt(i + 1) === LF) i++;
        from = i + 1;
        state = FIELD_START;
      } else if (c === LF || c === single || (single < 0 && delimiters.includes(c))) {
        state = FIELD_START;
      } else if (c === quote) {
        state = state === FIELD_START || state === QUOTE_IN_QUOTED ? QUOTED : UNQUOTED;
      } else state = UNQUOTED;
    }
    this.state = state;
    return out + chunk.slice(from);
  }

  private isDelimiter(c: number): boolean {
    return this.delimiters.includes(c);
  }
}

/** Normalizes a whole text at once. */
export function normalizeNewlines(text: string, options: NewlineNormalizerOptions): string {
  return new NewlineNormalizer(options).push(text);
}
