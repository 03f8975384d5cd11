import zlib from 'node:zlib';

/**
 * The entries of a zip (an XLSX), inflated, in the order of its central directory. Throws when
 * an entry's CRC-32 or size is not what the directory says.
 */
export function unzip(zip: Buffer): [string, string][] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const out: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    const size = zip.readUInt32LE(at + 20);
    const offset = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
    const raw = zip.subarray(local, local + size);
    const data = zip.readUInt16LE(at + 10) === 0 ? raw : zlib.inflateRawSync(raw);
    if (zlib.crc32(data) !== zip.readUInt32LE(at + 16) || data.length !== zip.readUInt32LE(at + 24))
      throw new Error(`zip entry ${name}: its CRC-32 or size is not the directory's`);
    out.push([name, data.toString('utf8')]);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return out;
}
