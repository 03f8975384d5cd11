export type ImportSniffCode = 'EMPTY' | 'BINARY' | 'ENCODING';

export interface ImportSniffLocation {
  /** 1-based physical line (LF, CRLF and lone CR each end one). */
  line?: number;
  /** 0-based offset from the first byte of the file (a byte-order mark included). */
  byteOffset?: number;
}

/** The bytes cannot be read as CSV text; the message is complete and never quotes file content. */
export class ImportSniffError extends Error {
  readonly code: ImportSniffCode;
  readonly line?: number;
  readonly byteOffset?: number;
  constructor(code: ImportSniffCode, message: string, location: ImportSniffLocation = {}) {
    super(message);
    this.name = 'ImportSniffError';
    this.code = code;
    if (location.line !== undefined) this.line = location.line;
    if (location.byteOffset !== undefined) this.byteOffset = location.byteOffset;
  }
}
