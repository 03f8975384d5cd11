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
