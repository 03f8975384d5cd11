interface Signature {
  bytes: readonly number[];
  looksLike: string;
  /** The signature is printable text a CSV header could start with: a control byte must follow it. */
  controlAfter?: boolean;
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

const SIGNATURES: readonly Signature[] = [
  { bytes: ascii('PK\x03\x04'), looksLike: 'an xlsx/zip file' },
  { bytes: ascii('PK\x05\x06'), looksLike: 'an xlsx/zip file' },
  { bytes: ascii('PK\x07\x08'), looksLike: 'an xlsx/zip file' },
  { bytes: ascii('%PDF-'), looksLike: 'a PDF file' },
  { bytes: [0x89, ...ascii('PNG\r\n\x1a\n')], looksLike: 'a PNG image' },
  { bytes: [0x1f, 0x8b], looksLike: 'a gzip file' },
  { bytes: ascii('PAR1'), looksLike: 'a Parquet file', controlAfter: true },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], looksLike: 'an old Excel .xls (OLE2) file' },
  { bytes: [0xff, 0xd8, 0xff], looksLike: 'a JPEG image' },
  { bytes: ascii('GIF87a'), looksLike: 'a GIF image' },
  { bytes: ascii('GIF89a'), looksLike: 'a GIF image' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], looksLike: 'a zstd file' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], looksLike: 'a 7z file' },
  { bytes: ascii('SQLite format 3\0'), looksLike: 'an SQLite database' },
];

/** What a file starting with these bytes looks like, e.g. "an xlsx/zip file", when it has a known binary signature. */
export function binarySignature(start: Uint8Array): string | undefined {
  const isControl = (b: number | undefined) =>
    b !== undefined && b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d;
  return SIGNATURES.find(
    (s) =>
      s.bytes.length <= start.length &&
      s.bytes.every((b, i) => start[i] === b) &&
      (!s.controlAfter || isControl(start[s.bytes.length])),
  )?.looksLike;
}
