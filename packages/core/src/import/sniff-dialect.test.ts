import { describe, expect, it } from 'vitest';
import { sniffDialect, sniffIsUnsure } from './sniff-dialect.js';

const rows = (lines: string[], eol = '\n') => lines.join(eol) + eol;

describe('sniffDialect: delimiter', () => {
  it.each([
    [',', 'id,name,amount'],
    ['\t', 'id\tname\tamount'],
    [';', 'id;name;amount'],
    ['|', 'id|name|amount'],
  ] as const)('finds %j', (delimiter, header) => {
    const d = delimiter;
    const text = rows([header, `1${d}Ann${d}3.5`, `2${d}Bob${d}4`, `3${d}Cy${d}10`]);
    const sniff = sniffDialect(text);
    expect(sniff.delimiter).toBe(delimiter);
    expect(sniff.unsure.delimiter).toBe(false);
  });

  it('prefers the delimiter with steady field counts over one that also appears in values', () => {
    const text = rows(['name;price;note', 'Tea;1,50;green, loose', 'Cake;2,75;lemon', 'Jam;3;']);
    expect(sniffDialect(text).delimiter).toBe(';');
  });

  it('ignores delimiters inside quoted fields', () => {
    const text = rows([
      'name,address,city',
      '"Smith, J","1 High St, Flat 2",York',
      '"Doe, A","9 Low Rd",Leeds',
      'Bo,"x, y, z",Hull',
    ]);
    const sniff = sniffDialect(text);
    expect(sniff).toMatchObject({ delimiter: ',', quote: '"' });
  });

  it('keeps a semicolon file whose quoted values hold commas', () => {
    const text = rows(['a;b', '"1,2,3";x', '"4,5";y', '6;"z,z,z,z"']);
    expect(sniffDialect(text).delimiter).toBe(';');
  });

  it('reads a one-column file as comma-separated and says it is unsure', () => {
    const sniff = sniffDialect(rows(['name', 'Ann', 'Bob']));
    expect(sniff.delimiter).toBe(',');
    expect(sniff.unsure.delimiter).toBe(true);
    expect(sniffIsUnsure(sniff)).toBe(true);
  });

  it('reads a one-column file whose values hold a semicolon or a tab now and then as one column', () => {
    expect(sniffDialect(rows(['note', 'a;b', 'c;d', 'e'])).delimiter).toBe(',');
    expect(sniffDialect(rows(['note', 'a b\tc', 'd', 'e e\tf'])).delimiter).toBe(',');
    // A delimiter every record but a short first one has still wins: a title line, a ragged row.
    expect(
      sniffDialect(rows(['Sales report Q3', 'region;product;amount', 'N;tea;3', 'S;jam;4'])).delimiter,
    ).toBe(';');
    expect(sniffDialect(rows(['a', 'b;c', 'd;e;f', 'g;h', 'i;j;k'])).delimiter).toBe(';');
    expect(sniffDialect(rows(['a;b', '1;2', '3;4', '5'])).delimiter).toBe(';');
  });

  it('keeps a character every value ends with in the values (an e-mail list copied with its ";")', () => {
    for (const d of [';', '|', '\t']) {
      const sniff = sniffDialect(rows(['recipients', `alice@example.com${d}`, `bob@example.com${d}`]));
      expect(sniff.delimiter, JSON.stringify(d)).toBe(',');
      expect(sniff.unsure.delimiter).toBe(true);
    }
    // A header that names two columns, the second empty in every row, is still two columns.
    expect(sniffDialect(rows(['name;note', 'Ann;', 'Bo;'])).delimiter).toBe(';');
    // As is a title line above split rows.
    expect(sniffDialect(rows(['Report', 'a;', 'b;c'])).delimiter).toBe(';');
  });

  it('is unsure when two delimiters fit equally well', () => {
    const sniff = sniffDialect(rows(['a,b;c', '1,2;3', '4,5;6']));
    expect(sniff.delimiter).toBe(',');
    expect(sniff.unsure.delimiter).toBe(true);
  });

  it('skips a leading byte-order mark', () => {
    expect(sniffDialect('\uFEFFid;name\n1;a\n2;b\n').delimiter).toBe(';');
  });
});

describe('sniffDialect: quote', () => {
  it('defaults to the double quote', () => {
    expect(sniffDialect(rows(['a,b', '1,2'])).quote).toBe('"');
  });

  it('finds single-quoted fields', () => {
    const sniff = sniffDialect(rows(['name,city', "'Smith, J',York", "'Doe, A',Leeds", 'Bo,Hull']));
    expect(sniff).toMatchObject({ delimiter: ',', quote: "'" });
  });

  it('keeps the double quote when single quotes protect nothing (values that start and end with an apostrophe)', () => {
    const apostrophes = rows(['id,title', "1,'Hello'", '2,plain', "3,'Bud'", '4,"He said ""hi"""']);
    expect(sniffDialect(apostrophes).quote).toBe('"');
    expect(sniffDialect(rows(['id,title', "1,'Hello'", '2,plain'])).quote).toBe('"');
  });

  it('turns quoting off when double quotes would swallow records', () => {
    const sniff = sniffDialect(rows(['id,size,unit', '1,"big,cm', '2,small,cm', '3,tiny,mm', '4,huge,m']));
    expect(sniff.quote).toBeNull();
    expect(sniff.unsure.quote).toBe(true);
  });
});

describe('sniffDialect: header', () => {
  it('sees a header over numeric columns', () => {
    const sniff = sniffDialect(rows(['name,age,joined', 'Ann,31,2020-01-02', 'Bob,42,2021-03-04']));
    expect(sniff.hasHeader).toBe(true);
    expect(sniff.unsure.header).toBe(false);
  });

  it('sees no header when the first row has numbers like the rest', () => {
    const sniff = sniffDialect(rows(['Ann,31,2020-01-02', 'Bob,42,2021-03-04', 'Cy,7,2022-05-06']));
    expect(sniff.hasHeader).toBe(false);
    expect(sniff.unsure.header).toBe(false);
  });

  it('sees a header of years over numbers when a text column votes for it', () => {
    const sniff = sniffDialect(rows(['region,2022,2023', 'EU,100,200', 'US,300,400']));
    expect(sniff.hasHeader).toBe(true);
    expect(sniff.unsure.header).toBe(true);
    expect(sniffDialect(rows(['1,2022,2023', '2,100,200', '3,300,400'])).hasHeader).toBe(false);
  });

  it('sees a header over fixed-length codes', () => {
    expect(sniffDialect(rows(['country,code', 'France,FR', 'Peru,PE', 'Japan,JP'])).hasHeader).toBe(true);
  });

  it('defaults to a header when every cell is text', () => {
    const sniff = sniffDialect(rows(['apple,red', 'banana,yellow', 'kiwi,green']));
    expect(sniff.hasHeader).toBe(true);
    expect(sniff.unsure.header).toBe(true);
  });

  it('defaults to a header for a single row', () => {
    expect(sniffDialect('a,b\n')).toMatchObject({ hasHeader: true, unsure: { header: true } });
  });
});

describe('sniffDialect: line endings', () => {
  it.each([
    ['lf', '\n'],
    ['crlf', '\r\n'],
    ['cr', '\r'],
  ] as const)('%s', (lineEnding, eol) => {
    expect(sniffDialect(rows(['a,b', '1,2', '3,4'], eol)).lineEnding).toBe(lineEnding);
  });

  it('mixed', () => {
    expect(sniffDialect('a,b\r\n1,2\n3,4\r\n').lineEnding).toBe('mixed');
  });

  it('does not count line breaks inside quoted fields', () => {
    expect(sniffDialect('a,b\n"x\r\ny",1\n"p\rq",2\n').lineEnding).toBe('lf');
  });

  it('does not call a sample cut between CR and LF mixed', () => {
    expect(sniffDialect('a,b\r\n1,2\r\n3,4\r').lineEnding).toBe('crlf');
  });

  it('calls a single line without a terminator lf', () => {
    expect(sniffDialect('a,b').lineEnding).toBe('lf');
  });
});
