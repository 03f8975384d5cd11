/**
 * The fields of the first CSV record in `text` (RFC 4180: quotes doubled inside quoted fields;
 * a record ends at LF, CRLF or CR outside quotes). Returns undefined when the sample ends inside it.
 */
export function firstRecord(text: string, delimiter: string, quote: string | null): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === quote) {
        if (text[i + 1] === quote) {
          field += ch;
          i++;
        } else inQuotes = false;
      } else field += ch;
    } else if (quote !== null && ch === quote && field === '') {
      inQuotes = true;
    } else if (ch === delimiter) {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      fields.push(field);
      return fields;
    } else field += ch;
  }
  if (inQuotes) return undefined;
  fields.push(field);
  return fields;
}

/**
 * Does the first record break RFC 4180's quoting: a quote inside an unquoted field, or text after
 * a closing quote? DuckDB's reader drops every row of a file whose header does (it returns no
 * rows and no error), so the header is checked here.
 */
export function firstRecordHasStrayQuote(text: string, delimiter: string, quote: string | null): boolean {
  if (quote === null) return false;
  let inQuotes = false;
  let closed = false;
  let empty = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch !== quote) continue;
      if (text[i + 1] === quote) i++;
      else {
        inQuotes = false;
        closed = true;
      }
    } else if (ch === delimiter) {
      closed = false;
      empty = true;
    } else if (ch === '\n' || ch === '\r') {
      return false;
    } else if (closed) {
      return true;
    } else if (ch === quote) {
      if (!empty) return true;
      inQuotes = true;
    } else empty = false;
  }
  return false;
}

/**
 * Empty lines at the start of `text`, which DuckDB's reader would take as the header (its
 * `skip` passes them), the text after them, and how those lines end (`mixed` if not all alike):
 * DuckDB reads the file with one line ending, so a prefix that ends otherwise than the rest
 * needs the file's line ends made alike first.
 */
export function leadingBlankLines(text: string): {
  lines: number;
  rest: string;
  ending: 'lf' | 'crlf' | 'cr' | 'mixed' | undefined;
} {
  const blank = /^(?:\r\n|\r|\n)*/.exec(text)![0];
  const ends = blank.match(/\r\n|\r|\n/g) ?? [];
  const kinds = new Set<'lf' | 'crlf' | 'cr'>(
    ends.map((e) => (e === '\r\n' ? 'crlf' : e === '\r' ? 'cr' : 'lf')),
  );
  const ending = kinds.size === 0 ? undefined : kinds.size > 1 ? 'mixed' : [...kinds][0];
  return { lines: ends.length, rest: text.slice(blank.length), ending };
}
