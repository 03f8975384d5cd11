import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvScanner, scanCsvText, type CsvScanOptions } from './csv-scan.js';
import { parseSample } from './parse-sample.js';

const comma: CsvScanOptions = { delimiter: ',', quote: '"' };

function scanInChunks(text: string, cuts: number[], options: CsvScanOptions) {
  const scanner = new CsvScanner(options);
  let from = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)) {
    scanner.push(text.slice(from, cut));
    from = cut;
  }
  scanner.push(text.slice(from));
  return scanner.finish();
}

describe('CsvScanner: records and fields', () => {
  it('counts records, the widest and the short ones', () => {
    const report = scanCsvText('a,b,c\n1,2,3\n4,5\n6\n', { ...comma, expectedFields: 3 });
    expect(report).toMatchObject({ records: 4, maxFields: 3, shortRecords: 2, blankLines: 0 });
    expect(report.firstLongRecord).toBeUndefined();
  });

  it('names the line where the first over-long record starts', () => {
    const text = 'a,b\n"multi\nline",1\n2,3\n4,5,6\n7,8,9,10\n';
    const report = scanCsvText(text, { ...comma, expectedFields: 2 });
    expect(report.firstLongRecord).toEqual({ line: 5, fields: 3 });
    expect(report.maxFields).toBe(4);
  });

  it('does not split on delimiters or line breaks inside quotes, and unescapes doubled quotes', () => {
    const report = scanCsvText('a,b\n"x, ""y""\r\nz",2\n', { ...comma, expectedFields: 2 });
    expect(report).toMatchObject({ records: 2, maxFields: 2, shortRecords: 0, quotedNewlines: 1 });
    expect(report.firstQuotedNewline).toEqual({ line: 2 });
    expect(report.strayQuote).toBeUndefined();
  });

  it('skips lines with no characters, as DuckDB does, but counts them', () => {
    expect(scanCsvText('a,b\n\n1,2\r\n\r\n3,4\n', comma)).toMatchObject({ records: 3, blankLines: 2 });
  });

  it('counts a last record without a line break', () => {
    expect(scanCsvText('a,b\n1,2', comma)).toMatchObject({ records: 2, maxFields: 2 });
  });

  it('counts nothing in empty text', () => {
    expect(scanCsvText('', comma)).toMatchObject({ records: 0, maxFields: 0, blankLines: 0 });
  });

  it('reads quote characters literally when quoting is off', () => {
    expect(
      scanCsvText('a,b\n"x,y",2\n', { delimiter: ',', quote: null, expectedFields: 2 }).firstLongRecord,
    ).toEqual({
      line: 2,
      fields: 3,
    });
  });

  it('works with tab, semicolon and pipe delimiters and a single quote', () => {
    expect(scanCsvText("a\tb\n'x\ty'\t2\n", { delimiter: '\t', quote: "'" }).maxFields).toBe(2);
    expect(scanCsvText('a;b;c\n1;2;3\n', { delimiter: ';', quote: '"' }).maxFields).toBe(3);
    expect(
      scanCsvText('a|b\n1|2|3\n', { delimiter: '|', quote: '"', expectedFields: 2 }).firstLongRecord?.line,
    ).toBe(2);
  });

  it('refuses delimiters and quotes it cannot scan with', () => {
    expect(() => new CsvScanner({ delimiter: '::', quote: '"' })).toThrow(RangeError);
    expect(() => new CsvScanner({ delimiter: '"', quote: '"' })).toThrow(RangeError);
    expect(() => new CsvScanner({ delimiter: '\n', quote: null })).toThrow(RangeError);
  });
});

describe('CsvScanner: quoting problems', () => {
  it('names the line where an unterminated quote opened', () => {
    const report = scanCsvText('a,b\n1,2\n3,"four\n5,6\n7,8\n', comma);
    expect(report.unterminatedQuote).toEqual({ line: 3 });
    expect(report.records).toBe(3);
  });

  it('names the line of a quote inside an unquoted field', () => {
    expect(scanCsvText('a,b\n1,2\n3,4" pipe\n', comma).strayQuote).toEqual({
      line: 3,
      kind: 'inside-unquoted-field',
    });
  });

  it('names the line of text after a closing quote', () => {
    expect(scanCsvText('a,b\r\n"x"y,2\r\n', comma).strayQuote).toEqual({
      line: 2,
      kind: 'after-closing-quote',
    });
  });
});

describe('CsvScanner: physical lines and line endings', () => {
  it.each([
    ['lf', '\n'],
    ['crlf', '\r\n'],
    ['cr', '\r'],
  ] as const)('%s ends lines and records', (kind, eol) => {
    const report = scanCsvText(['a,b', '1,2', '3,4,5'].join(eol) + eol, { ...comma, expectedFields: 2 });
    expect(report.firstLongRecord).toEqual({ line: 3, fields: 3 });
    expect(report.lineEndings).toEqual({ lf: 0, crlf: 0, cr: 0, [kind]: 3 });
    expect(report.mixedLineEndings).toBeUndefined();
  });

  it('reports the first line whose ending differs', () => {
    const report = scanCsvText('a,b\r\n1,2\r\n3,4\n5,6\r7,8\r\n', comma);
    expect(report.lineEndings).toEqual({ lf: 1, crlf: 3, cr: 1 });
    expect(report.mixedLineEndings).toEqual({ line: 3 });
  });

  it('advances lines for every kind of break inside quotes', () => {
    const text = 'a,b\n"1\r\n2\r3\n4",x\n5,6,7\n';
    const report = scanCsvText(text, { ...comma, expectedFields: 2 });
    expect(report.firstLongRecord).toEqual({ line: 6, fields: 3 });
    expect(report.quotedNewlines).toBe(3);
    expect(report.lineEndings).toEqual({ lf: 3, crlf: 0, cr: 0 });
  });

  it('counts a CR and a later LF inside quotes as two line breaks', () => {
    const report = scanCsvText('a\n"\rx\n",1\n2,3,4\n', { ...comma, expectedFields: 2 });
    expect(report).toMatchObject({ lines: 5, quotedNewlines: 2, firstLongRecord: { line: 5, fields: 3 } });
  });

  it('counts physical lines, a last line without a break included', () => {
    expect(scanCsvText('', comma).lines).toBe(0);
    expect(scanCsvText('a', comma).lines).toBe(1);
    expect(scanCsvText('a\r\n\r\nb', comma).lines).toBe(3);
    expect(scanCsvText('a\r\r\n', comma).lines).toBe(2);
  });

  it('refuses push() after finish()', () => {
    const scanner = new CsvScanner(comma);
    scanner.finish();
    expect(() => scanner.push('a')).toThrow();
  });
});

const csvText = (alphabet: string[]) =>
  fc.array(fc.constantFrom(...alphabet), { maxLength: 200 }).map((cs) => cs.join(''));
const CSV_CHARS = [',', ';', '"', "'", '\r', '\n', '\r\n', 'a', 'b', ' ', '""'];

describe('CsvScanner: chunk boundaries (property)', () => {
  it('gives the same report however the text is cut', () => {
    fc.assert(
      fc.property(
        csvText(CSV_CHARS),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.constantFrom<CsvScanOptions>(
          { delimiter: ',', quote: '"', expectedFields: 2 },
          { delimiter: ';', quote: "'", expectedFields: 3 },
          { delimiter: ',', quote: null, expectedFields: 1 },
        ),
        (text, cuts, options) => {
          expect(scanInChunks(text, cuts, options)).toEqual(scanCsvText(text, options));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('cuts one character at a time', () => {
    fc.assert(
      fc.property(csvText(CSV_CHARS), (text) => {
        const scanner = new CsvScanner({ ...comma, expectedFields: 2 });
        for (const ch of text) scanner.push(ch);
        expect(scanner.finish()).toEqual(scanCsvText(text, { ...comma, expectedFields: 2 }));
      }),
      { numRuns: 500 },
    );
  });

  it('counts physical lines as a line-break regex does', () => {
    fc.assert(
      fc.property(csvText(CSV_CHARS), fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
        const breaks = text.match(/\r\n|\r|\n/g)?.length ?? 0;
        const expected = text === '' ? 0 : /[\r\n]$/.test(text) ? breaks : breaks + 1;
        expect(scanInChunks(text, cuts, comma).lines).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with the value-keeping sample parser on records and fields', () => {
    fc.assert(
      fc.property(csvText(CSV_CHARS), (text) => {
        const parsed = parseSample(text, ',', '"', Number.MAX_SAFE_INTEGER);
        const report = scanCsvText(text, comma);
        const records = parsed.records.length + (parsed.unterminated ? 1 : 0);
        expect(report.records).toBe(records);
        if (!parsed.unterminated)
          expect(report.maxFields).toBe(Math.max(0, ...parsed.records.map((r) => r.length)));
        expect(report.unterminatedQuote !== undefined).toBe(parsed.unterminated);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('CsvScanner: speed', () => {
  it('scans 20 MB of text in well under a few seconds', () => {
    const row = '12345,"quoted, with comma",plain text here,3.14159\n';
    const text = row.repeat(Math.ceil(20e6 / row.length));
    const started = performance.now();
    const report = scanCsvText(text, { ...comma, expectedFields: 4 });
    const ms = performance.now() - started;
    expect(report.records).toBe(Math.ceil(20e6 / row.length));
    expect(ms).toBeLessThan(3000);
  });
});
