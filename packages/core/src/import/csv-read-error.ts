import { TidyvaultError } from '../errors.js';

/**
 * Why DuckDB's CSV reader stopped, in words, from its message: "CSV Error on Line: N", the line
 * itself (never repeated: it holds the data, and may span lines), the cause, then "Possible
 * Solution" and the reader's settings. Causes it is known to give are worded for people; another
 * is given as DuckDB says it, when it can be told apart from the data.
 */
export function csvReadErrorText(duckdbMessage: string): { line?: number; cause: string } {
  const lines = duckdbMessage.split('\n');
  const line = /Line: (\d+)/.exec(lines[0] ?? '')?.[1];
  const at = line === undefined ? undefined : Number(line);
  const located = (cause: string) => ({ ...(at !== undefined ? { line: at } : {}), cause });
  if (/invalid unicode|byte sequence mismatch/i.test(duckdbMessage))
    return located('bytes that are not valid UTF-8');
  const tooLong = /Maximum line size of (\d+) bytes exceeded/.exec(duckdbMessage);
  if (tooLong)
    return located(
      `a line longer than ${Math.round(Number(tooLong[1]) / 2 ** 20)} MiB, the most one CSV line may hold`,
    );
  const original = lines.findIndex((l) => l.startsWith('Original Line:'));
  if (original < 0)
    return located(lines[0]!.replace(/^Invalid Input Error: /, '').trim() || 'DuckDB could not read it');
  const end = lines.findIndex(
    (l, i) => i > original && (l.startsWith('Possible Solution:') || l.startsWith('  file =')),
  );
  const cause =
    end < 0
      ? undefined
      : lines
          .slice(original + 1, end)
          .reverse()
          .find((l) => l.trim() !== '');
  // Without the block after it, the cause cannot be told from the line's own text.
  return located(cause?.trim() ?? 'DuckDB could not read it');
}

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

/** A record with more fields than the header; `guessed`: the delimiter, when the sniffer was unsure of it. */
export function tooManyFieldsText(
  file: string,
  line: number,
  fields: number,
  width: number,
  guessed?: string,
): string {
  // A header the delimiter splits into columns shows the delimiter is right; one it leaves whole
  // under a guessed delimiter is where a wrong guess shows.
  const guess =
    guessed && width === 1
      ? `. The ${DELIMITER_NAMES[guessed] ?? JSON.stringify(guessed)} delimiter was a guess: --delimiter names another`
      : '';
  return `${file}: line ${line}: ${fields} fields, but the header has ${width} (pass --ragged extend to add columns for the extra fields)${guess}`;
}

/** A quote that neither opens nor closes a field, by where it stands (csv-scan's strayQuote). */
export function strayQuoteText(
  file: string,
  line: number,
  kind: 'inside-unquoted-field' | 'after-closing-quote',
): string {
  return kind === 'after-closing-quote'
    ? `${file}: line ${line}: text after a closing quote (a quoted field ends at its closing quote: quote the whole value, doubling the quotes inside it)`
    : `${file}: line ${line}: a quote character inside an unquoted field (quote the whole value, doubling the quotes inside it)`;
}

/** A sheet is chosen only in an xlsx file: given for another format it would be ignored silently. */
export function checkSheetOption(sheet: string | undefined, format: string, file: string): void {
  if (sheet !== undefined && format !== 'xlsx')
    throw new TidyvaultError(
      'USAGE',
      `a sheet (--sheet) is chosen only in an xlsx file; ${file} is read as ${format}`,
      { file, field: 'sheet' },
    );
}

/** How to read a CSV: refused for another format rather than ignored (the caller believed it applied). */
export function checkCsvOnlyOptions(
  o: { delimiter?: string | undefined; header?: boolean | undefined; encoding?: string | undefined },
  format: string,
  file: string,
): void {
  if (format === 'csv' || format === 'tsv') return;
  const field = (['delimiter', 'header', 'encoding'] as const).find((k) => o[k] !== undefined);
  if (field === undefined) return;
  const flag = field === 'header' && o.header === false ? '--no-header' : `--${field}`;
  throw new TidyvaultError(
    'USAGE',
    `${flag} applies to CSV and TSV files only; ${file} is read as ${format}`,
    {
      file,
      field,
    },
  );
}
