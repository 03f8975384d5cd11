import { WINDOWS_1252_UNDEFINED, type TextEncodingName } from './text-encoding.js';

/** Where the first invalid byte sequence starts. */
export interface InvalidBytes {
  /** 0-based, counted from the `startOffset` the validator was given. */
  byteOffset: number;
  /** 1-based physical line (LF, CRLF and lone CR each end one). */
  line: number;
}

/** Checks bytes chunk by chunk, counting lines, and stops at the first invalid sequence. */
export interface ByteValidator {
  push(bytes: Uint8Array): InvalidBytes | undefined;
  /** The end of the input: reports a sequence cut short. */
  finish(): InvalidBytes | undefined;
}

const LF = 0x0a;
const CR = 0x0d;

abstract class LineCountingValidator implements ByteValidator {
  protected offset: number;
  protected line = 1;
  protected afterCR = false;
  protected invalid: InvalidBytes | undefined;

  constructor(startOffset: number) {
    this.offset = startOffset;
  }

  protected countLine(unit: number): void {
    if (unit === LF) {
      if (!this.afterCR) this.line++;
      this.afterCR = false;
    } else if (unit === CR) {
      this.line++;
      this.afterCR = true;
    } else this.afterCR = false;
  }

  protected fail(byteOffset: number, line = this.line): InvalidBytes {
    this.invalid ??= { byteOffset, line };
    return this.invalid;
  }

  abstract push(bytes: Uint8Array): InvalidBytes | undefined;
  abstract finish(): InvalidBytes | undefined;
}

/** Well-formed UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing above U+10FFFF. */
export class Utf8Validator extends LineCountingValidator {
  /** Complete sequences of two or more bytes seen so far. */
  multiByteSequences = 0;
  private need = 0;
  private low = 0x80;
  private high = 0xbf;
  private sequenceStart = 0;

  push(bytes: Uint8Array): InvalidBytes | undefined {
    if (this.invalid) return this.invalid;
    for (let i = 0; i < bytes.length; i++, this.offset++) {
      const b = bytes[i]!;
      if (this.need === 0) {
        if (b < 0x80) {
          this.countLine(b);
          continue;
        }
        this.afterCR = false;
        this.sequenceStart = this.offset;
        this.low = 0x80;
        this.high = 0xbf;
        if (b >= 0xc2 && b <= 0xdf) this.need = 1;
        else if (b >= 0xe0 && b <= 0xef) {
          this.need = 2;
          if (b === 0xe0) this.low = 0xa0;
          else if (b === 0xed) this.high = 0x9f;
        } else if (b >= 0xf0 && b <= 0xf4) {
          this.need = 3;
          if (b === 0xf0) this.low = 0x90;
          else if (b === 0xf4) this.high = 0x8f;
        } else return this.fail(this.offset);
      } else {
        if (b < this.low || b > this.high) return this.fail(this.sequenceStart);
        this.low = 0x80;
        this.high = 0xbf;
        if (--this.need === 0) this.multiByteSequences++;
      }
    }
    return undefined;
  }

  /** Whether the bytes so far end inside a multi-byte sequence. */
  get endsInsideSequence(): boolean {
    return this.need > 0;
  }

  finish(): InvalidBytes | undefined {
    if (!this.invalid && this.need > 0) this.fail(this.sequenceStart);
    return this.invalid;
  }
}

/** UTF-16 code units in pairs of bytes; a surrogate must be half of a pair. */
export class Utf16Validator extends LineCountingValidator {
  private pendingByte = -1;
  private highSurrogateAt = -1;

  constructor(
    private readonly littleEndian: boolean,
    startOffset: number,
  ) {
    super(startOffset);
  }

  push(bytes: Uint8Array): InvalidBytes | undefined {
    if (this.invalid) return this.invalid;
    for (let i = 0; i < bytes.length; i++, this.offset++) {
      if (this.pendingByte < 0) {
        this.pendingByte = bytes[i]!;
        continue;
      }
      const first = this.pendingByte;
      const second = bytes[i]!;
      this.pendingByte = -1;
      const unit = this.littleEndian ? first | (second << 8) : (first << 8) | second;
      const unitOffset = this.offset - 1;
      if (this.highSurrogateAt >= 0) {
        if (unit < 0xdc00 || unit > 0xdfff) return this.fail(this.highSurrogateAt);
        this.highSurrogateAt = -1;
      } else if (unit >= 0xd800 && unit <= 0xdbff) this.highSurrogateAt = unitOffset;
      else if (unit >= 0xdc00 && unit <= 0xdfff) return this.fail(unitOffset);
      this.countLine(unit);
    }
    return undefined;
  }

  finish(): InvalidBytes | undefined {
    if (this.invalid) return this.invalid;
    if (this.highSurrogateAt >= 0) return this.fail(this.highSurrogateAt);
    if (this.pendingByte >= 0) return this.fail(this.offset - 1);
    return undefined;
  }
}

/** Every byte is Windows-1252 except the five it leaves undefined. */
export class Windows1252Validator extends LineCountingValidator {
  private static readonly undefinedBytes = new Set(WINDOWS_1252_UNDEFINED);

  push(bytes: Uint8Array): InvalidBytes | undefined {
    if (this.invalid) return this.invalid;
    for (let i = 0; i < bytes.length; i++, this.offset++) {
      const b = bytes[i]!;
      if (b >= 0x80 && Windows1252Validator.undefinedBytes.has(b)) return this.fail(this.offset);
      this.countLine(b);
    }
    return undefined;
  }

  finish(): InvalidBytes | undefined {
    return this.invalid;
  }
}

export function createByteValidator(encoding: TextEncodingName, startOffset = 0): ByteValidator {
  switch (encoding) {
    case 'utf-8':
      return new Utf8Validator(startOffset);
    case 'utf-16le':
      return new Utf16Validator(true, startOffset);
    case 'utf-16be':
      return new Utf16Validator(false, startOffset);
    case 'windows-1252':
      return new Windows1252Validator(startOffset);
  }
}
