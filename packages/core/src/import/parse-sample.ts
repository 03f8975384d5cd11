export interface ParsedSample {
  /** Records, blank lines skipped; a record cut by the end of the text inside quotes is left out. */
  records: string[][];
  /** Fields that opened with the quote and closed cleanly (before a delimiter, line break or the end). */
  quotedFields: number;
  /** Whether the text ended inside a quoted field. */
  unterminated: boolean;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits the start of a CSV text into records of field values, with the same rules as CsvScanner
 * (a quote opens a field only at its start; a doubled quote inside stands for one). For sniffing only.
 */
export function parseSample(
  text: string,
  delimiter: string,
  quote: string | null,
  maxRecords: number,
): ParsedSample {
  const d = delimiter.charCodeAt(0);
  const q = quote === null ? -1 : quote.charCodeAt(0);
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let closed = false;
  let quotedFields = 0;
  let i = 0;
  const endField = () => {
    if (closed) quotedFields++;
    record.push(field);
    field = '';
    closed = false;
  };
  for (; i < text.length && records.length < maxRecords; i++) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c !== q) field += text[i];
      else if (text.charCodeAt(i + 1) === q) {
        field += text[i];
        i++;
      } else {
        quoted = false;
        closed = true;
      }
    } else if (c === q && field === '' && !closed) {
      quoted = true;
    } else if (c === d) {
      endField();
    } else if (c === LF || c === CR) {
      if (c === CR && text.charCodeAt(i + 1) === LF) i++;
      if (record.length > 0 || field !== '' || closed) {
        endField();
        records.push(record);
      }
      record = [];
    } else {
      closed = false;
      field += text[i];
    }
  }
  const unterminated = quoted;
  if (i >= text.length && !quoted && (record.length > 0 || field !== '' || closed)) {
    endField();
    records.push(record);
  }
  return { records, quotedFields, unterminated };
}
