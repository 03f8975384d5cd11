import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, readRecord, RecordSplitter } from './json-text.js';
import { blobText, decimalText } from './parquet.js';

describe('readRecord (a JSON value as DuckDB’s json extension reads it)', () => {
  it('keeps strings, writes numbers, booleans and nested values as yyjson does', () => {
    expect(
      readRecord(
        '{"a":1,"b":1.0,"c":1e5,"d":-0,"e":12345678901234567890,"f":1.0e400,"g":true,"h":null,"i":[1,2.50,{"x":"y\\u001f"}],"s":"\\"é\\n"}',
      ),
    ).toEqual({
      kind: 'object',
      entries: [
        ['a', '1'],
        ['b', '1.0'],
        ['c', '100000.0'],
        ['d', '0'],
        ['e', '12345678901234567890'],
        ['f', '1.0e400'],
        ['g', 'true'],
        ['h', null],
        ['i', '[1,2.5,{"x":"y\\u001F"}]'],
        ['s', '"é\n'],
      ],
    });
  });

  it('keeps the first of a repeated key, and names what else a value is', () => {
    expect(readRecord('{"a":1,"a":2}')).toEqual({ kind: 'object', entries: [['a', '1']] });
    expect(['[1]', '"x"', '3', '-3', '2.5', 'null', 'false'].map((t) => readRecord(t).kind)).toEqual([
      'array',
      'varchar',
      'ubigint',
      'bigint',
      'double',
      'null',
      'boolean',
    ]);
  });

  it('refuses what is not JSON', () => {
    for (const bad of ['{"a":}', '{"a":1,}', '{"a":"\t"}', '{"a":1} x', '{"a":tru}', '{"a":"\\q"}'])
      expect(() => readRecord(bad), bad).toThrow(JsonSyntaxError);
  });

  it('refuses half a surrogate pair (as DuckDB does) rather than let it become U+FFFD, and keeps whole pairs', () => {
    for (const bad of ['{"t":"\\ud800x"}', '{"t":"x\\udc00"}', '{"\\ud83d":1}', '{"t":["\\udfff"]}'])
      expect(() => readRecord(bad), bad).toThrow(/half of a surrogate pair/);
    expect(readRecord('{"t":"\\ud83d\\ude00 ok"}')).toEqual({ kind: 'object', entries: [['t', '😀 ok']] });
  });
});

describe('RecordSplitter', () => {
  it('hands over the elements of an array across chunks, strings and nesting included', () => {
    const s = new RecordSplitter('json');
    const got = [...s.push(' [{"a":"],\\"'), ...s.push('x"}, {"b":[1,{"c":2}]}'), ...s.push(' ]\n')];
    expect(got.map((t) => t.trim())).toEqual(['{"a":"],\\"x"}', '{"b":[1,{"c":2}]}']);
    expect(s.finish()).toEqual([]);
  });

  it('refuses an array left open, after a comma or cut inside an element', () => {
    const open = new RecordSplitter('json');
    expect(open.push('[{"a":1},')).toEqual(['{"a":1}']);
    expect(() => open.finish()).toThrow(/before the array is closed/);
    const cut = new RecordSplitter('json');
    cut.push('[{"a":1},{"b"');
    expect(() => cut.finish()).toThrow(JsonSyntaxError);
    expect(() => new RecordSplitter('json').push('{"a":1}')).toThrow(/expected a JSON array/);
    expect(() => new RecordSplitter('json').push('[{"a":1},,{"b":2}]')).toThrow(/empty element/);
  });

  it('gives NDJSON’s non-blank lines', () => {
    const s = new RecordSplitter('ndjson');
    expect([...s.push('{"a":1}\n\n  \n{"b"'), ...s.push(':2}'), ...s.finish()]).toEqual([
      '{"a":1}',
      '{"b":2}',
    ]);
  });
});

describe('Parquet text as DuckDB casts it', () => {
  it('decimals with exactly their scale', () => {
    expect(decimalText(1250n, 2)).toBe('12.50');
    expect(decimalText(-5n, 2)).toBe('-0.05');
    expect(decimalText(0n, 3)).toBe('0.000');
    expect(decimalText(-42n, 0)).toBe('-42');
  });

  it('blobs: printable ASCII as it is, the rest as \\xHH', () => {
    expect(blobText(new Uint8Array([0, 255, 97, 98, 39, 92, 34, 32, 126]))).toBe(
      '\\x00\\xFFab\\x27\\x5C\\x22 ~',
    );
  });
});
