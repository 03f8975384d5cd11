import { binarySignature } from './binary-signatures.js';
import { Utf16Validator, Utf8Validator, Windows1252Validator } from './byte-validators.js';
import { byteNumber, ImportSniffError, type ImportSniffLocation } from './errors.js';
import { ENCODING_LABELS, type TextEncodingName } from './text-encoding.js';
import { mixedEncodingError } from './utf8-break.js';

export interface EncodingSniff {
  encoding: TextEncodingName;
  /** Bytes of byte-order mark to skip before the text. */
  bomLength: number;
}

/** Above this share of control characters a file is taken for binary. */
const CONTROL_SHARE_LIMIT = 0.1;
/** A BOM-less UTF-16 file has a NUL in the high byte of most ASCII characters. */
const UTF16_NUL_SHARE = 0.3;
/**
 * …and NUL in the other byte of fewer than half as many. Misreading binary bytes as UTF-16 costs
 * nothing: they then fail the UTF-16 check or the control-character share.
 */
const OTHER_NUL_SHARE = 0.5;

const binary = (why: string, location: ImportSniffLocation = {}) =>
  new ImportSniffError('BINARY', `the file looks binary (${why}), not CSV text`, location);
const empty = () => new ImportSniffError('EMPTY', 'the file is empty');

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) =>
  prefix.length <= bytes.length && prefix.every((b, i) => bytes[i] === b);

const isWhitespace = (unit: number) => unit === 0x20 || (unit >= 0x09 && unit <= 0x0d);
/**
 * C0 controls (NUL included) and DEL, except the tab, line feed, carriage return and form feed a
 * text file may hold. A few of them are kept as data (a stray NUL in a field survives the round
 * trip); many make the file binary.
 */
const isControl = (unit: number) =>
  (unit < 0x20 && unit !== 0x09 && unit !== 0x0a && unit !== 0x0d && unit !== 0x0c) || unit === 0x7f;

function bomOf(sample: Uint8Array): EncodingSniff | undefined {
  if (startsWith(sample, [0xef, 0xbb, 0xbf])) return { encoding: 'utf-8', bomLength: 3 };
  if (startsWith(sample, [0xff, 0xfe, 0x00, 0x00]) || startsWith(sample, [0x00, 0x00, 0xfe, 0xff])) {
    throw new ImportSniffError('ENCODING', 'the file is UTF-32, which is not supported: save it as UTF-8');
  }
  if (startsWith(sample, [0xff, 0xfe])) return { encoding: 'utf-16le', bomLength: 2 };
  if (startsWith(sample, [0xfe, 0xff])) return { encoding: 'utf-16be', bomLength: 2 };
  return undefined;
}

/** UTF-16 without a byte-order mark: NULs in only one byte of each pair, and plenty of them. */
function bomlessUtf16(sample: Uint8Array): EncodingSniff | undefined {
  const pairs = Math.floor(sample.length / 2);
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < pairs * 2; i += 2) {
    if (sample[i] === 0) evenNuls++;
    if (sample[i + 1] === 0) oddNuls++;
  }
  if (pairs === 0) return undefined;
  // The other byte is NUL too in a character such as U+4E00 (一), U+0100 (Ā) or the low half of
  // an emoji's surrogate pair (U+DE00): a few of those, against many ASCII characters, are fine.
  if (oddNuls >= pairs * UTF16_NUL_SHARE && evenNuls < oddNuls * OTHER_NUL_SHARE)
    return { encoding: 'utf-16le', bomLength: 0 };
  if (evenNuls >= pairs * UTF16_NUL_SHARE && oddNuls < evenNuls * OTHER_NUL_SHARE)
    return { encoding: 'utf-16be', bomLength: 0 };
  return undefined;
}

function sniffUtf16(sample: Uint8Array, sniff: EncodingSniff, isWholeFile: boolean): EncodingSniff {
  const littleEndian = sniff.encoding === 'utf-16le';
  const body = sample.subarray(sniff.bomLength);
  const validator = new Utf16Validator(littleEndian, sniff.bomLength);
  const invalid = validator.push(body) ?? (isWholeFile ? validator.finish() : undefined);
  if (invalid) {
    throw new ImportSniffError(
      'ENCODING',
      `bytes that are not valid ${ENCODING_LABELS[sniff.encoding]} at byte ${byteNumber(invalid.byteOffset)} (line ${invalid.line})`,
      invalid,
    );
  }
  let controls = 0;
  let onlyWhitespace = true;
  const units = Math.floor(body.length / 2);
  for (let i = 0; i < units * 2; i += 2) {
    const unit = littleEndian ? body[i]! | (body[i + 1]! << 8) : (body[i]! << 8) | body[i + 1]!;
    if (isControl(unit)) controls++;
    if (!isWhitespace(unit)) onlyWhitespace = false;
  }
  if (onlyWhitespace && isWholeFile) throw empty();
  if (units > 0 && controls > units * CONTROL_SHARE_LIMIT)
    throw binary(`${percent(controls, units)} of its characters are control characters`);
  return sniff;
}

const percent = (part: number, whole: number) => `${Math.round((100 * part) / whole)}%`;

function checkEightBitText(sample: Uint8Array, bomLength: number, isWholeFile: boolean): void {
  let controls = 0;
  let onlyWhitespace = true;
  for (let i = bomLength; i < sample.length; i++) {
    const b = sample[i]!;
    if (isControl(b)) controls++;
    if (!isWhitespace(b)) onlyWhitespace = false;
  }
  if (onlyWhitespace && isWholeFile) throw empty();
  const length = sample.length - bomLength;
  if (length > 0 && controls > length * CONTROL_SHARE_LIMIT)
    throw binary(`${percent(controls, length)} of its bytes are control characters`);
}

/**
 * The encoding of a file from a sample of its first bytes: a byte-order mark, else UTF-8 when the
 * bytes are valid UTF-8 (a character cut at the end of a partial sample is fine), else Windows-1252.
 * Throws ImportSniffError: EMPTY, BINARY (NUL bytes, many control characters, a known binary
 * signature) or ENCODING (bytes neither UTF-8 nor Windows-1252 can hold).
 */
export function sniffEncoding(sample: Uint8Array, isWholeFile: boolean): EncodingSniff {
  if (sample.length === 0) throw empty();
  const looksLike = binarySignature(sample);
  if (looksLike !== undefined) throw binary(`it looks like ${looksLike}`);

  const bom = bomOf(sample);
  if (bom && bom.encoding !== 'utf-8') return sniffUtf16(sample, bom, isWholeFile);
  if (!bom) {
    const utf16 = sample.includes(0) ? bomlessUtf16(sample) : undefined;
    if (utf16) return sniffUtf16(sample, utf16, isWholeFile);
  }

  const bomLength = bom?.bomLength ?? 0;
  checkEightBitText(sample, bomLength, isWholeFile);

  const body = sample.subarray(bomLength);
  const utf8 = new Utf8Validator(bomLength);
  const notUtf8 = utf8.push(body) ?? (isWholeFile ? utf8.finish() : undefined);
  if (!notUtf8) return { encoding: 'utf-8', bomLength };
  if (bom) {
    throw new ImportSniffError(
      'ENCODING',
      `bytes that are not valid UTF-8 at byte ${byteNumber(notUtf8.byteOffset)} (line ${notUtf8.line}), although the file starts with a UTF-8 byte-order mark`,
      notUtf8,
    );
  }

  const notCp1252 = new Windows1252Validator(0).push(body);
  if (!notCp1252) {
    if (utf8.multiByteSequences > 0) throw mixedEncodingError(notUtf8);
    return { encoding: 'windows-1252', bomLength: 0 };
  }
  // Text that held valid multi-byte UTF-8 before breaking is UTF-8 gone wrong: point at the break.
  const where = utf8.multiByteSequences > 0 ? notUtf8 : notCp1252;
  throw new ImportSniffError(
    'ENCODING',
    `bytes that are neither UTF-8 nor Windows-1252 at byte ${byteNumber(where.byteOffset)} (line ${where.line})`,
    where,
  );
}

/**
 * The encoding to read a file with: `retry` when the caller read it once and must try another
 * (no questions asked), else the one a person `asked` for, checked against the file, else the
 * sniffed one. A byte-order mark of another encoding, or UTF-16 asked of a file without a single
 * NUL byte (UTF-16 text has one in every delimiter and line break), would read as one line of
 * garbage and no rows: refused.
 */
export function chooseEncoding(
  sample: Uint8Array,
  whole: boolean,
  asked?: TextEncodingName,
  retry?: TextEncodingName,
): EncodingSniff {
  let sniff: EncodingSniff;
  try {
    sniff = sniffEncoding(sample, whole);
  } catch (e) {
    if (!asked || !(e instanceof ImportSniffError)) throw e;
    if (e.code === 'BINARY' && asked.startsWith('utf-16') && !bomOf(sample) && !binarySignature(sample)) {
      // The NULs that made it look binary are UTF-16's: judge it as the UTF-16 asked for.
      sniff = sniffUtf16(sample, { encoding: asked, bomLength: 0 }, whole);
    } else if (e.code === 'ENCODING') {
      // A file of two encodings, say: the person who asked for one has the last word on it.
      sniff = startsWith(sample, [0xef, 0xbb, 0xbf])
        ? { encoding: 'utf-8', bomLength: 3 }
        : { encoding: asked, bomLength: 0 };
    } else throw e;
  }
  if (retry) return { encoding: retry, bomLength: sniff.bomLength };
  if (!asked) return sniff;
  const bom = sniff.bomLength > 0 ? sniff.encoding : undefined;
  if (bom !== undefined && bom !== asked)
    throw new ImportSniffError(
      'ENCODING',
      `the file starts with a ${ENCODING_LABELS[bom]} byte-order mark, but it was asked to be read as ${ENCODING_LABELS[asked]}: leave the encoding to be detected, or ask for ${ENCODING_LABELS[bom]}`,
    );
  if (asked.startsWith('utf-16') && !sample.includes(0))
    throw new ImportSniffError(
      'ENCODING',
      `the file cannot be ${ENCODING_LABELS[asked]}: it has no NUL bytes, which UTF-16 text has in every delimiter and line break (it looks like ${ENCODING_LABELS[sniff.encoding]}): leave the encoding to be detected`,
    );
  return { encoding: asked, bomLength: sniff.bomLength };
}
