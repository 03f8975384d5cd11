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
 * `skip` passes them), and the text after them.
 */
export function leadingBlankLines(text: string): { lines: number; rest: string } {
  const blank = /^(?:\r\n|\r|\n)*/.exec(text)![0];
  return { lines: (blank.match(/\r\n|\r|\n/g) ?? []).length, rest: text.slice(blank.length) };
}
