/**
 * CSV inputs on which engine-wasm must import exactly as engine-node does (same columns, rows,
 * warnings, or the same error code, message and location): header repair, case-insensitive
 * duplicate names, empty fields, short and long rows, quoting, line ends, encodings.
 */
const utf16le = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);

export const IMPORT_CASES: Record<string, string | Buffer> = {
  'plain.csv': 'id,name\n1,Ann\n2,Bob\n',
  'header-repair.csv': 'Name,,name,NAME,name_2, x ,\n1,2,3,4,5,6,7\n',
  'empty-fields-stay-empty.csv': 'a,b,c\n,,\n"",x,""\n',
  'short-rows-padded.csv': 'a,b,c\n1,2,3\n4\n5,6\n',
  'short-row-with-quoted-newline.csv': 'a,b,c\n"x\ny",2,3\n4\n',
  'too-many-fields.csv': 'a,b\n1,2\n3,4\n5,6,7\n',
  'unterminated-quote.csv': 'a,b\n1,"open\n2,3\n',
  'stray-quote.csv': 'a,b\n1,ab"c\n2,3\n',
  'crlf.csv': 'a,b\r\n1,2\r\n3,4\r\n',
  'cr-only.csv': 'a,b\r1,2\r3,4\r',
  'bom.csv': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b\n1,é\n')]),
  'utf16.csv': utf16le('a,b\n1,ü\n2,€\n'),
  'windows-1252.csv': Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0x31, 0x2c, 0x63, 0x61, 0x66, 0xe9, 0x0a]),
  'semicolons.csv': 'a;b;c\n1;2,5;3\n4;5;6\n',
  'blank-lines-before-header.csv': '\r\n\r\na,b\r\n1,2\r\n\r\n3,4\r\n',
  'blank-lines-ending-otherwise.csv': '\na,b\r\n1,2\r\n3,4\r\n',
  'one-column-with-semicolons.csv': 'note\na;b\nc;d\ne\n',
  'tabs.tsv': 'a\tb\n1\t2\n3\t4\n',
  'no-header.csv': '1,2\n3,4\n5,6\n',
  'only-header.csv': 'a,b,c\n',
  'empty.csv': '',
  'binary.csv': Buffer.from([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
  ]),
  'unicode-values.csv': 'name,note\n"  São Paulo ",\u00a0x\u3000\n東京,😀\n',
  'excel-sep-hint.csv': 'sep=;\r\na;b\r\n1;2,5\r\n',
  'nul-in-a-field.csv': 'a,b\n"x\u0000y",2\nz\u0000,3\n',
  // Past the 1 MiB sample: a Windows-1252 byte after ASCII only (read as Windows-1252, the line
  // named), and after UTF-8 text (refused: reading it as Windows-1252 would change that text).
  'late-windows-1252.csv': lateByte('plain'),
  'late-mixed-encodings.csv': lateByte('Zoë'),
};

function lateByte(first: string): Buffer {
  const rows = Array.from({ length: 80_000 }, (_, i) => `${i + 1},plain${i + 1}\n`).join('');
  return Buffer.concat([
    Buffer.from(`id,name\n0,${first}\n${rows}`),
    Buffer.from('80001,M\xfcller\n', 'latin1'),
  ]);
}

/**
 * Recipes whose output crosses from DuckDB to cells in ways the golden cases do not reach: dates
 * at the ends of the calendar, integers beyond 2^53, non-finite numbers, and the errors only
 * DuckDB can find (an invalid RE2 pattern or date format), whose messages quote DuckDB.
 */
export const RECIPE_CASES: Record<string, { csv: string; recipe: unknown }> = {
  'dates-at-the-edges.csv': {
    csv: 'd\n0001-01-01\n1582-10-15\n1600-02-29\n1969-12-31\n1970-01-01\n2000-02-29\n2038-01-19\n9999-12-31\n\n',
    recipe: { version: 1, steps: [{ op: 'to-date', columns: ['d'], formats: ['%Y-%m-%d'] }] },
  },
  'big-integers.csv': {
    csv: 'n\n9007199254740991\n9007199254740993\n-9223372036854775808\n9223372036854775807\n12\n',
    recipe: { version: 1, steps: [{ op: 'to-integer', columns: ['n'] }] },
  },
  'numbers.csv': {
    csv: 'x\n1e308\n1e400\n-0\n0.1\n"1,234.5"\nNaN\ninf\n',
    recipe: { version: 1, steps: [{ op: 'to-number', columns: ['x'] }] },
  },
  'invalid-regex.csv': {
    csv: 'a\nx\n',
    recipe: { version: 1, steps: [{ op: 'replace', columns: ['a'], find: '(', replace: '', regex: true }] },
  },
  'invalid-date-format.csv': {
    csv: 'a\nx\n',
    recipe: { version: 1, steps: [{ op: 'to-date', columns: ['a'], formats: ['%Q'] }] },
  },
  'merge-typed.csv': {
    csv: 'a,b,c\n1.5,2024-02-29,x\n,2024-03-01,\n',
    recipe: {
      version: 1,
      steps: [
        { op: 'to-number', columns: ['a'] },
        { op: 'to-date', columns: ['b'], formats: ['%Y-%m-%d'] },
        { op: 'merge-columns', columns: ['a', 'b', 'c'], separator: '|', into: 'm' },
      ],
    },
  },
};
