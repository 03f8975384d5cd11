import { describe, expect, it } from 'vitest';
import { csvReadWarnings, NO_HEADER_GUESSED, planCsv, sniffCsv } from './csv-plan.js';

const bytes = (t: string) => new TextEncoder().encode(t);

describe('planCsv', () => {
  it('says a quote is never closed only when the whole file was seen', () => {
    const open = bytes('"a,b\n1,2\n');
    expect(() => planCsv(open, true, 'f.csv', {})).toThrow(
      /^f\.csv: line 1: a quoted field is never closed$/,
    );
    expect(() => planCsv(open, false, 'f.csv', {})).toThrow(
      /^f\.csv: line 1: the first record does not end within the first 1 MiB \(a quoted field never closed, or a record that long\)$/,
    );
    expect(sniffCsv(open, false, 'f.csv', {})).toMatchObject({ delimiter: ',', first: undefined });
  });

  it('names the columns as header repair does, and plans a rewrite only when DuckDB needs one', () => {
    const p = planCsv(bytes('\ufeffName,name,\r\n1,2,3\r\n'), true, 'f.csv', {});
    expect(p).toMatchObject({ names: ['Name', 'name_2', 'column_3'], bomLength: 3, rewrite: true });
    expect(planCsv(bytes('a;b\n1;2\n'), true, 'f.csv', {})).toMatchObject({ delimiter: ';', rewrite: false });
  });

  it("takes Excel's sep= line as the delimiter, not as the header", () => {
    expect(planCsv(bytes('sep=;\na;b\n1;2\n'), true, 'f.csv', {})).toMatchObject({
      delimiter: ';',
      skip: 1,
      names: ['a', 'b'],
      normalizeNewlines: false,
    });
    expect(planCsv(bytes('\r\nSEP=|\r\na|b\r\n1|2\r\n'), true, 'f.csv', {})).toMatchObject({
      delimiter: '|',
      skip: 2,
      names: ['a', 'b'],
    });
    // A delimiter asked for wins; a sep= line ending otherwise than the rest needs line ends made alike.
    expect(planCsv(bytes('sep=;\na,b\n'), true, 'f.csv', { delimiter: ',' }).names).toEqual(['a', 'b']);
    expect(planCsv(bytes('sep=,\na,b\r\n1,2\r\n'), true, 'f.csv', {}).normalizeNewlines).toBe(true);
  });

  it('refuses a header that breaks the quoting rules (DuckDB would read no rows and say nothing)', () => {
    for (const header of ['id,"Size" (inches)', '"Region"/"Country",Sales', '{"a":1,"b":"x"}', 'a,b"c']) {
      expect(() => planCsv(bytes(`\n${header}\n1,2\n`), true, 'f.csv', {}), header).toThrow(
        /^f\.csv: line 2: the header has a quote character inside an unquoted field, or text after a closing quote/,
      );
    }
    const quoted = planCsv(bytes('id,"Size ""big""",""\n1,2,3\n'), true, 'f.csv', {});
    expect(quoted.names).toEqual(['id', 'Size "big"', 'column_3']);
    // Without a header the first line is data, and DuckDB's own error names it.
    expect(planCsv(bytes('1,"x" y\n'), true, 'f.csv', { header: false }).names).toEqual([
      'column_1',
      'column_2',
    ]);
  });
});

describe('csvReadWarnings', () => {
  it('says what the read changed or guessed, in both engines’ words', () => {
    const p = planCsv(bytes('a,b\n1,2\n'), true, 'f.csv', {});
    expect(csvReadWarnings(p, { names: ['a', 'b'], padded: 0 })).toEqual([]);
    expect(csvReadWarnings(p, { names: ['a', 'b', 'column_3'], padded: 1 })).toEqual([
      '1 column added for the extra fields (column_3): the widest row has 3 fields, the header 2',
      '1 row had fewer fields than the widest row and was padded with empty (null) cells',
    ]);
    expect(csvReadWarnings(p, { names: ['a', 'b'], padded: 2 })).toEqual([
      '2 rows had fewer fields than the header and were padded with empty (null) cells',
    ]);
    const years = planCsv(bytes('2019,2020\n1,2\n'), true, 'f.csv', {});
    expect(csvReadWarnings(years, { names: years.names, padded: 0 })).toEqual([NO_HEADER_GUESSED]);
    const latin = planCsv(new Uint8Array([0x61, 0x0a, 0xe9, 0x0a]), true, 'f.csv', {});
    expect(csvReadWarnings(latin, { names: latin.names, padded: 0, notUtf8Line: 2 })).toEqual([
      'read as Windows-1252 (line 2 is not valid UTF-8)',
    ]);
  });
});
