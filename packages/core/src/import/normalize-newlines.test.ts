import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanCsvText } from './csv-scan.js';
import { NewlineNormalizer, normalizeNewlines, type NewlineNormalizerOptions } from './normalize-newlines.js';
import { parseSample } from './parse-sample.js';

const comma: NewlineNormalizerOptions = { delimiter: ',', quote: '"' };

describe('normalizeNewlines', () => {
  it('turns CRLF and lone CR record terminators into LF', () => {
    expect(normalizeNewlines('a,b\r\n1,2\r3,4\n5,6\r', comma)).toBe('a,b\n1,2\n3,4\n5,6\n');
  });

  it('leaves line breaks inside quoted fields alone', () => {
    expect(normalizeNewlines('a,b\r\n"x\r\ny",1\r"p\rq",2\r\n', comma)).toBe('a,b\n"x\r\ny",1\n"p\rq",2\n');
  });

  it('reads doubled quotes and text after a closing quote as the scanner does', () => {
    expect(normalizeNewlines('"a""\r\nb"\r\n"c"d\r\ne\r\n', comma)).toBe('"a""\r\nb"\n"c"d\ne\n');
  });

  it('does not open a quoted field at a quote inside an unquoted one', () => {
    expect(normalizeNewlines('12" pipe,1\r\n2,3\r\n', comma)).toBe('12" pipe,1\n2,3\n');
  });

  it('opens quoted fields after any common delimiter when the delimiter is not given', () => {
    expect(normalizeNewlines('a;"x\r\ny"\r\nb|"p\rq"\r', { quote: '"' })).toBe('a;"x\r\ny"\nb|"p\rq"\n');
  });

  it('changes nothing inside quotes-looking text when quoting is off', () => {
    expect(normalizeNewlines('"a\r\nb"\r\n', { delimiter: ',', quote: null })).toBe('"a\nb"\n');
  });

  it('holds the LF of a CRLF split across chunks', () => {
    const n = new NewlineNormalizer(comma);
    expect([n.push('a\r'), n.push(''), n.push('\nb\r'), n.push('c')].join('')).toBe('a\nb\nc');
  });
});

const pieces = [',', ';', '"', '\r', '\n', '\r\n', 'a', '""'];
const csvText = fc.array(fc.constantFrom(...pieces), { maxLength: 150 }).map((p) => p.join(''));

describe('normalizeNewlines (property)', () => {
  it('gives the same output however the text is cut', () => {
    fc.assert(
      fc.property(csvText, fc.array(fc.nat(), { maxLength: 10 }), (text, cuts) => {
        const n = new NewlineNormalizer(comma);
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        let from = 0;
        let out = '';
        for (const p of points) {
          out += n.push(text.slice(from, p));
          from = p;
        }
        out += n.push(text.slice(from));
        expect(out).toBe(normalizeNewlines(text, comma));
      }),
      { numRuns: 2000 },
    );
  });

  it('rewrites every line break when quoting is off, in chunks or not', () => {
    fc.assert(
      fc.property(csvText, fc.nat(), (text, cut) => {
        const n = new NewlineNormalizer({ quote: null });
        const at = cut % (text.length + 1);
        expect(n.push(text.slice(0, at)) + n.push(text.slice(at))).toBe(text.replace(/\r\n?/g, '\n'));
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps every record and value, and leaves only LF terminators', () => {
    fc.assert(
      fc.property(csvText, (text) => {
        const out = normalizeNewlines(text, comma);
        const before = parseSample(text, ',', '"', Number.MAX_SAFE_INTEGER);
        const after = parseSample(out, ',', '"', Number.MAX_SAFE_INTEGER);
        expect(after).toEqual(before);
        const endings = scanCsvText(out, { delimiter: ',', quote: '"' }).lineEndings;
        expect(endings.crlf + endings.cr).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });
});
