export {
  byteNumber,
  ImportSniffError,
  undecodableBytesError,
  type ImportSniffCode,
  type ImportSniffLocation,
} from './errors.js';
export { ENCODING_LABELS, WINDOWS_1252_UNDEFINED, type TextEncodingName } from './text-encoding.js';
export { decodeWindows1252 } from './windows-1252.js';
export { createChunkDecoder, decodeSample, TextDecodeError, type ChunkDecoder } from './decode-text.js';
export {
  createByteValidator,
  Utf16Validator,
  Utf8Validator,
  Windows1252Validator,
  type ByteValidator,
  type InvalidBytes,
} from './byte-validators.js';
export { binarySignature } from './binary-signatures.js';
export { chooseEncoding, sniffEncoding, type EncodingSniff } from './sniff-encoding.js';
export {
  sniffDialect,
  sniffIsUnsure,
  type CsvDelimiter,
  type CsvDialect,
  type CsvQuote,
  type DialectSniff,
  type LineEnding,
} from './sniff-dialect.js';
export { autoColumnNames, repairHeaderNames, type ColumnNameOptions } from './header-names.js';
export {
  CsvScanner,
  scanCsvText,
  type CsvScanOptions,
  type CsvScanReport,
  type LineEndingKind,
} from './csv-scan.js';
export { NewlineNormalizer, normalizeNewlines, type NewlineNormalizerOptions } from './normalize-newlines.js';
export {
  jsonImportError,
  jsonNumberKind,
  JsonScanError,
  JsonScanner,
  notAnObject,
  type JsonFormat,
  type JsonKind,
  type JsonProblem,
} from './json-scan.js';
export { parquetFrameProblem, withoutPath } from './parquet-frame.js';
export {
  checkCsvOnlyOptions,
  checkSheetOption,
  csvReadErrorText,
  strayQuoteText,
  tooManyFieldsText,
} from './csv-read-error.js';
export { csvBufferBytes, CSV_MAX_LINE_BYTES, CSV_SAMPLE_BYTES } from './csv-reader-sizes.js';
export {
  CASE_INSENSITIVE_NAMES,
  csvReadWarnings,
  NO_HEADER_GUESSED,
  planCsv,
  readCsvCall,
  sniffCsv,
  sniffFailure,
  type CsvAsked,
  type CsvPlan,
  type CsvRetry,
} from './csv-plan.js';
