import { deflateRawSync, crc32 } from 'node:zlib';

/** One entry of a zip built byte by byte, so tests can make headers lie. */
export interface HandmadeEntry {
  name: string;
  data: Buffer | string;
  /** Uncompressed size written in the headers (default: the true size). */
  declaredSize?: number;
  stored?: boolean;
  flags?: number;
  /** Unix mode for the high 16 bits of the external attributes (e.g. 0o120777 for a symlink). */
  unixMode?: number;
}

export function handmadeZip(entries: HandmadeEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const raw = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8');
    const body = e.stored ? raw : deflateRawSync(raw);
    const name = Buffer.from(e.name, 'utf8');
    const size = e.declaredSize ?? raw.length;
    const method = e.stored ? 0 : 8;
    const crc = crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.flags ?? 0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(e.unixMode === undefined ? 20 : 0x0314, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.flags ?? 0, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.unixMode ?? 0) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG = 'http://schemas.openxmlformats.org/package/2006/relationships';

export interface HandmadeXlsx {
  sheetData: string;
  sharedStrings?: string;
  styles?: string;
  workbookPr?: string;
  /** Replace a whole part (e.g. to add a DOCTYPE). */
  sheetXml?: string;
  sharedStringsXml?: string;
}

/** The smallest xlsx a reader must understand, with the parts a test wants to control. */
export function handmadeXlsx(x: HandmadeXlsx): Buffer {
  const rels = [`<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>`];
  const entries: HandmadeEntry[] = [
    {
      name: '_rels/.rels',
      data: `<Relationships xmlns="${PKG}"><Relationship Id="r" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      name: 'xl/workbook.xml',
      data: `<workbook xmlns="${MAIN}" xmlns:r="${REL}">${x.workbookPr ?? ''}<sheets><sheet name="Only" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    },
    {
      name: 'xl/worksheets/sheet1.xml',
      data: x.sheetXml ?? `<worksheet xmlns="${MAIN}"><sheetData>${x.sheetData}</sheetData></worksheet>`,
    },
  ];
  if (x.sharedStrings !== undefined) {
    rels.push(`<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>`);
    entries.push({
      name: 'xl/sharedStrings.xml',
      data: x.sharedStringsXml ?? `<sst xmlns="${MAIN}">${x.sharedStrings}</sst>`,
    });
  }
  if (x.styles !== undefined) {
    rels.push(`<Relationship Id="rId3" Type="${REL}/styles" Target="styles.xml"/>`);
    entries.push({ name: 'xl/styles.xml', data: `<styleSheet xmlns="${MAIN}">${x.styles}</styleSheet>` });
  }
  entries.push({
    name: 'xl/_rels/workbook.xml.rels',
    data: `<Relationships xmlns="${PKG}">${rels.join('')}</Relationships>`,
  });
  return handmadeZip(entries);
}
