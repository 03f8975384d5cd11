import { describe, expect, it } from 'vitest';
import { jsonCell, jsonDouble, jsonObject, jsonKeys, jsonString } from './json-text.js';

// What engine-node's `COPY … (FORMAT json)` (DuckDB 1.5, yyjson) wrote for these values.
const DOUBLES: [number, string][] = [
  [7, '7.0'],
  [100, '100.0'],
  [1e21, '1e21'],
  [1e20, '100000000000000000000.0'],
  [123456789012345680000, '123456789012345680000.0'],
  [123.456, '123.456'],
  [5e-324, '5e-324'],
  [1.7976931348623157e308, '1.7976931348623157e308'],
  [1e16, '10000000000000000.0'],
  [0.000001, '0.000001'],
  [1e-7, '1e-7'],
  [1e15, '1000000000000000.0'],
  [123456789.123, '123456789.123'],
  [-1.5e-10, '-1.5e-10'],
  [0.000025, '0.000025'],
  [1e22, '1e22'],
  [1.2345678901234568e22, '1.2345678901234568e22'],
  [-0, '-0.0'],
  [1.5, '1.5'],
  [1e300, '1e300'],
];

describe('JSON text as DuckDB writes it', () => {
  it('spells doubles as yyjson does', () => {
    for (const [n, text] of DOUBLES) expect(jsonDouble(n), String(n)).toBe(text);
    expect(jsonDouble(Number.NaN)).toBe('null');
  });

  it('escapes quotes, backslashes and control characters only (upper-case hex)', () => {
    expect(jsonString('a "q" / \\ é 😀 \u0001\t x')).toBe('"a \\"q\\" / \\\\ é 😀 \\u0001\\t x"');
    expect(jsonString('\u001f\u001ex\b\f\r\n\u2028</script>')).toBe(
      '"\\u001F\\u001Ex\\b\\f\\r\\n\u2028</script>"',
    );
  });

  it('writes cells by column type, nulls as null, big integers as digits', () => {
    expect(jsonCell('integer', '9007199254740993')).toBe('9007199254740993');
    expect(jsonCell('integer', -5)).toBe('-5');
    expect(jsonCell('number', 7)).toBe('7.0');
    expect(jsonCell('date', '2024-02-29')).toBe('"2024-02-29"');
    expect(jsonCell('text', null)).toBe('null');
    expect(jsonObject(jsonKeys(['a', 'n"']), ['text', 'number'], ['x', null])).toBe('{"a":"x","n\\"":null}');
  });
});
