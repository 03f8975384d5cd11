export interface NewlineNormalizerOptions {
  /** The file's delimiter; when not given, a quote opens a field after any of , TAB ; | */
  delimiter?: string;
  quote: string | null;
}

const LF = 0x0a;
const CR = 0x0d;
const ANY_DELIMITER = [0x2c, 0x09, 0x3b, 0x7c];

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
    const quote = this.quote;
    const delimiters = this.delimiters;
    const single = delimiters.length === 1 ? delimiters[0]! : -1;
    let state = this.state;
    let out = '';
    let from = 0;
    let i = 0;
    if (this.dropLF && chunk.charCodeAt(0) === LF) from = i = 1;
    this.dropLF = false;
    for (; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (state === QUOTED) {
        if (c === quote) state = QUOTE_IN_QUOTED;
        continue;
      }
      if (c === CR) {
        out += chunk.slice(from, i) + '\n';
        if (i + 1 === chunk.length) this.dropLF = true;
        else if (chunk.charCodeAt(i + 1) === LF) i++;
        from = i + 1;
        state = FIELD_START;
      } else if (c === LF) {
        state = FIELD_START;
      } else if (c === single || (single < 0 && delimiters.includes(c))) {
        state = FIELD_START;
      } else if (c === quote) {
        state = state === FIELD_START || state === QUOTE_IN_QUOTED ? QUOTED : UNQUOTED;
      } else state = UNQUOTED;
    }
    this.state = state;
    return out + chunk.slice(from);
  }
}

/** Normalizes a whole text at once. */
export function normalizeNewlines(text: string, options: NewlineNormalizerOptions): string {
  return new NewlineNormalizer(options).push(text);
}
