import { describe, expect, it } from 'vitest';
import { jsonImportError, JsonScanError, JsonScanner, type JsonFormat } from './json-scan.js';

/** The scanner's verdict on `text` fed in chunks of `size` bytes: the record count or the message. */
function verdict(format: JsonFormat, text: string | Uint8Array, size = Infinity): string | number {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const s = new JsonScanner(format);
  try {
    for (let at = 0; at < bytes.length; at += Math.min(size, bytes.length))
      s.push(bytes.subarray(at, at + size));
    s.finish();
    return s.records;
  } catch (e) {
    if (e instanceof JsonScanError) return jsonImportError('f', format, e.problem).message;
    throw e;
  }
}

const CASES: [JsonFormat, string][] = [
  ['json', '[{"a":1},{"a":2},\n'],
  ['json', '[{"a":1},{"a":2}'],
  ['json', '\ufeff[\r\n {"a": "é😀x", "b": [1, -2.5e+3, true, null, {}]},\r\n {"c" 3}]'],
  ['json', '[{"a":"😀"}, {"b":"\\u00e9\\n"}, 18446744073709551616]'],
  ['ndjson', '{"a":1}\n\n\n{"a": oops}\n'],
  ['ndjson', '{"a":1}\r\n{"a":2,}\r\n'],
  ['ndjson', '{"a":1}\n{"b":2\n'],
  ['ndjson', '{"a":"x"}\n\n"s"\n'],
  ['ndjson', '{"a":{"b":[1,2,{"c":"😀"}]}}\r\n\r\n{"d":-0.5E-3}'],
  ['json', '[{"t":"\\ud83d\\ude00"},{"t":"\\ud800x"}]'],
  ['ndjson', '{"t":"ok"}\n{"\\udc00":1}\n'],
  ['ndjson', '{"t":"\\ud83d\\u0041"}\n'],
  ['ndjson', '{"t":"\\ud83d"}\n'],
  // A key twice in a record's object (in a nested one it stays JSON text, nothing lost).
  ['json', '[{"a":1,"b":{"a":2,"a":3}},{"k\\u00e9":1,"x":2,"k\\u00e9":3}]'],
  ['ndjson', '{"a":1}\n{"a":1,"b":2,"a":3}\n'],
];

describe('JsonScanner', () => {
  it('says a .json file of one object is not an array, and where one object per line belongs', () => {
    expect(verdict('json', '{"a":1}\n')).toBe(
      'f: not valid JSON (expected a JSON array of objects): line 1, column 1: it is one object, not an array of them ([{…}, {…}]); a file of one object per line is NDJSON (.ndjson)',
    );
    expect(verdict('json', '"x"')).toMatch(/line 1, column 1: it does not start with '\['$/);
  });

  it('names the line, the column and the element of the first problem', () => {
    expect(CASES.map(([f, t]) => verdict(f, t))).toEqual([
      "f: not valid JSON (expected a JSON array of objects): line 2, column 1 (after element 2 of the array): the file ends unexpectedly: expected another element after ','",
      "f: not valid JSON (expected a JSON array of objects): line 1, column 17 (after element 2 of the array): the file ends unexpectedly: the array is never closed (expected ',' or ']')",
      "f: not valid JSON (expected a JSON array of objects): line 3, column 7 (element 2 of the array): expected ':' after the key",
      'f: element 3 of the array is a number, not an object (line 1; expected an array of objects)',
      'f: not valid NDJSON (expected one JSON object per line): line 4, column 7: expected a value',
      "f: not valid NDJSON (expected one JSON object per line): line 2, column 8: a trailing comma before '}'",
      'f: not valid NDJSON (expected one JSON object per line): line 2, column 7: the line ends before the record is complete',
      'f: line 3 is a string, not an object (expected one object per line)',
      2,
      // Half of a surrogate pair, escaped: DuckDB refuses it, and UTF-8 cannot hold it.
      'f: not valid JSON (expected a JSON array of objects): line 1, column 35 (element 2 of the array): half of a surrogate pair in a string (a \\uD800–\\uDFFF escape without its other half)',
      'f: not valid NDJSON (expected one JSON object per line): line 2, column 8: half of a surrogate pair in a string (a \\uD800–\\uDFFF escape without its other half)',
      'f: not valid NDJSON (expected one JSON object per line): line 1, column 18: half of a surrogate pair in a string (a \\uD800–\\uDFFF escape without its other half)',
      'f: not valid NDJSON (expected one JSON object per line): line 1, column 13: half of a surrogate pair in a string (a \\uD800–\\uDFFF escape without its other half)',
      'f: not valid JSON (expected a JSON array of objects): line 1, column 55 (element 2 of the array): an object with the same key twice (which of its values to keep is not clear)',
      'f: not valid NDJSON (expected one JSON object per line): line 2, column 16: an object with the same key twice (which of its values to keep is not clear)',
    ]);
  });

  it('gives the same verdict whatever the chunks (split inside characters, escapes and numbers)', () => {
    for (const [format, text] of CASES) {
      const whole = verdict(format, text);
      for (const size of [1, 2, 3, 5, 7])
        expect(verdict(format, text, size), `${text} by ${size}`).toEqual(whole);
    }
  });

  it('refuses what is not JSON', () => {
    for (const bad of [
      '{"a":}',
      '{"a":1,}',
      '{"a":"\t"}',
      '{"a":1} x',
      '{"a":tru}',
      '{"a":"\\q"}',
      '{"a":01}',
      '{"a":1.}',
      '{"a":-}',
      '{"a":"\\u12"}',
      '{a:1}',
      '{"a":1}}',
    ])
      expect(verdict('ndjson', bad), bad).toMatch(/^f: not valid NDJSON/);
  });

  it('names the line of bytes that are not UTF-8, and refuses a BOM in NDJSON only', () => {
    expect(verdict('ndjson', new Uint8Array([0x7b, 0x7d, 0x0a, 0x22, 0xc3]))).toBe(
      'f: line 2: byte 5 is not valid UTF-8 (NDJSON must be UTF-8 text)',
    );
    expect(verdict('ndjson', new Uint8Array([0x7b, 0x7d, 0x0a, 0x22, 0xc3, 0x22]), 1)).toBe(
      'f: line 2: byte 5 is not valid UTF-8 (NDJSON must be UTF-8 text)',
    );
    expect(verdict('json', '\ufeff[{"a":1}]')).toBe(1);
    expect(verdict('ndjson', '\ufeff{"a":1}')).toMatch(/byte-order mark/);
    expect(verdict('json', ' \n ')).toBe(0);
  });
});
