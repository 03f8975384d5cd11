import { SaxesParser } from 'saxes';
import { openGuardedZip, DEFAULT_XLSX_CAPS, type GuardedZip, type XlsxCaps } from './zip.js';
import { decodeOoxmlText, isDateFormat, notXlsx, serialToText, XlsxError } from './xlsx-text.js';

/*
 * engine-node's xlsx reader (xlsx/xml-part.ts, workbook-parts.ts, sheet-rows.ts, read-xlsx.ts)
 * over the browser's guarded zip: the same parts found the same way, the same DOCTYPE refusal,
 * the same cells (text as the workbook shows it: numbers exactly as stored, dates ISO), rows
 * streamed from the sheet (only shared strings and styles are held).
 */

export interface XlsxRow {
  /** 1-based row number in the sheet. */
  rowNumber: number;
  /** By column (A = 0); a missing cell is null; trailing nulls are trimmed. */
  cells: (string | null)[];
}

interface XmlHandlers {
  open?(name: string, attributes: Record<string, string>): void;
  close?(name: string): void;
  text?(text: string): void;
}

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

function encodingOf(head: Uint8Array): string {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

/** A streaming parser for one part that refuses any DOCTYPE (no external entities, no entity expansion). */
class XmlPartParser {
  private readonly parser = new SaxesParser({ xmlns: false, position: true });
  private decoder: TextDecoder | undefined;

  constructor(
    private readonly part: string,
    handlers: XmlHandlers,
  ) {
    const p = this.parser;
    p.on('doctype', () => {
      throw new XlsxError(
        'XLSX_UNSAFE',
        `the xlsx part '${part}' declares a DOCTYPE — refused (possible XML entity attack)`,
      );
    });
    const { open, close, text } = handlers;
    if (open) p.on('opentag', (tag) => open(localName(tag.name), tag.attributes as Record<string, string>));
    if (close) p.on('closetag', (tag) => close(localName(tag.name)));
    if (text) {
      p.on('text', text);
      p.on('cdata', text);
    }
  }

  write(chunk: Uint8Array): void {
    this.decoder ??= new TextDecoder(encodingOf(chunk));
    this.guard(() => this.parser.write(this.decoder!.decode(chunk, { stream: true })));
  }

  end(): void {
    this.guard(() => {
      const rest = this.decoder?.decode() ?? '';
      if (rest) this.parser.write(rest);
      this.parser.close();
    });
  }

  private guard(step: () => void): void {
    try {
      step();
    } catch (e) {
      if (e instanceof XlsxError) throw e;
      const why = e instanceof Error ? e.message : String(e);
      throw notXlsx(`the part '${this.part}' is not well-formed XML (${why})`);
    }
  }
}

async function* parsePart<T>(
  zip: GuardedZip,
  part: string,
  handlers: XmlHandlers,
  drain: () => T[],
): AsyncGenerator<T> {
  const parser = new XmlPartParser(part, handlers);
  try {
    for await (const chunk of zip.openEntry(part)) {
      parser.write(chunk);
      yield* drain();
    }
    parser.end();
    yield* drain();
  } catch (e) {
    throw e instanceof XlsxError ? e : notXlsx(`the part '${part}' could not be read (${String(e)})`);
  }
}

async function readPart(zip: GuardedZip, part: string, handlers: XmlHandlers): Promise<void> {
  for await (const _ of parsePart<never>(zip, part, handlers, () => [])) void _;
}

// posix path operations on part names (node:path's posix, for what the reader uses).
const dirname = (p: string): string => {
  const i = p.lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i);
};
const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
function normalize(p: string): string {
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(s);
  }
  const joined = out.join('/');
  return joined === '' ? '.' : joined;
}
const join = (...parts: string[]): string => normalize(parts.filter((x) => x !== '').join('/'));

interface SheetPart {
  name: string;
  part: string;
}
interface Relationship {
  type: string;
  part: string;
}

const relsPathOf = (part: string): string => join(dirname(part), '_rels', `${basename(part)}.rels`);

function resolveTarget(source: string, target: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(target);
  } catch {
    return undefined;
  }
  const joined = decoded.startsWith('/') ? decoded.slice(1) : join(dirname(source), decoded);
  const part = normalize(joined);
  return part.startsWith('../') ? undefined : part;
}

async function readRelationships(zip: GuardedZip, source: string): Promise<Map<string, Relationship>> {
  const rels = new Map<string, Relationship>();
  const relsPart = relsPathOf(source);
  if (!zip.has(relsPart)) return rels;
  await readPart(zip, relsPart, {
    open(name, a) {
      if (name !== 'Relationship' || a.TargetMode === 'External' || !a.Id || !a.Target) return;
      const part = resolveTarget(source, a.Target);
      if (part !== undefined) rels.set(a.Id, { type: a.Type ?? '', part });
    },
  });
  return rels;
}

const ofType = (rels: Map<string, Relationship>, suffix: string): string | undefined =>
  [...rels.values()].find((r) => r.type.endsWith(suffix))?.part;

const relationshipId = (a: Record<string, string>): string =>
  Object.entries(a).find(([k]) => k.endsWith(':id'))?.[1] ?? '';

const isTrue = (v: string | undefined): boolean => v === '1' || v === 'true';

async function readWorkbookParts(zip: GuardedZip) {
  const workbook = ofType(await readRelationships(zip, ''), '/officeDocument') ?? 'xl/workbook.xml';
  if (!zip.has(workbook)) throw notXlsx('it has no workbook part (is it an .xls, .ods or a different zip?)');
  const rels = await readRelationships(zip, workbook);
  const listed: { name: string; relId: string }[] = [];
  let date1904 = false;
  await readPart(zip, workbook, {
    open(name, a) {
      if (name === 'workbookPr') date1904 = isTrue(a.date1904);
      else if (name === 'sheet' && a.name !== undefined)
        listed.push({ name: a.name, relId: relationshipId(a) });
    },
  });
  const sheets: SheetPart[] = [];
  for (const { name, relId } of listed) {
    const rel = rels.get(relId);
    if (!rel) throw notXlsx(`the workbook lists sheet '${name}' but not where it is stored`);
    if (rel.type.endsWith('/worksheet')) sheets.push({ name, part: rel.part });
  }
  const existing = (p: string | undefined, fallback: string) =>
    [p, fallback].find((x) => x !== undefined && zip.has(x));
  return {
    sheets,
    date1904,
    sharedStrings: existing(ofType(rels, '/sharedStrings'), join(dirname(workbook), 'sharedStrings.xml')),
    styles: existing(ofType(rels, '/styles'), join(dirname(workbook), 'styles.xml')),
  };
}

async function readSharedStrings(zip: GuardedZip, part: string | undefined): Promise<string[]> {
  const strings: string[] = [];
  if (part === undefined) return strings;
  let current: string | undefined;
  let inText = false;
  let phoneticDepth = 0;
  await readPart(zip, part, {
    open(name) {
      if (name === 'si') current = '';
      else if (name === 'rPh') phoneticDepth++;
      else if (name === 't' && current !== undefined && phoneticDepth === 0) inText = true;
    },
    close(name) {
      if (name === 't') inText = false;
      else if (name === 'rPh') phoneticDepth--;
      else if (name === 'si' && current !== undefined) {
        strings.push(decodeOoxmlText(current));
        current = undefined;
      }
    },
    text(t) {
      if (inText) current += t;
    },
  });
  return strings;
}

async function readDateStyles(zip: GuardedZip, part: string | undefined): Promise<boolean[]> {
  if (part === undefined) return [];
  const customCodes = new Map<number, string>();
  const formatIds: number[] = [];
  let inCellXfs = false;
  await readPart(zip, part, {
    open(name, a) {
      if (name === 'numFmt' && a.formatCode !== undefined) customCodes.set(Number(a.numFmtId), a.formatCode);
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) formatIds.push(Number(a.numFmtId ?? 0));
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
  });
  return formatIds.map((id) => isDateFormat(id, customCodes));
}

interface SheetContext {
  sheet: string;
  sharedStrings: readonly string[];
  dateStyles: readonly boolean[];
  date1904: boolean;
}

const MAX_COLUMNS = 16_384;
const MAX_ROWS = 1_048_576;

function columnIndex(ref: string): number | undefined {
  let n = 0;
  let i = 0;
  for (; i < ref.length && i < 4; i++) {
    const code = ref.charCodeAt(i) & ~0x20;
    if (code < 65 || code > 90) break;
    n = n * 26 + code - 64;
  }
  if (i === 0 || n > MAX_COLUMNS) return undefined;
  for (let j = i; j < ref.length; j++) {
    const code = ref.charCodeAt(j);
    if (code < 48 || code > 57) return undefined;
  }
  return n - 1;
}

function isoCellText(v: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2}))?/.exec(v);
  if (!m) return v;
  return m[2] === undefined || m[2] === '00:00:00' ? m[1]! : `${m[1]} ${m[2]}`;
}

function sheetRowHandlers(ctx: SheetContext, emit: (row: XlsxRow) => void): Required<XmlHandlers> {
  let rowNumber = 0;
  let cells: (string | null)[] = [];
  let column = -1;
  let type = 'n';
  let style = 0;
  let value: string | undefined;
  let collecting = false;
  let inInline = false;
  let phoneticDepth = 0;

  const fail = (what: string) => notXlsx(`sheet '${ctx.sheet}' row ${rowNumber}: ${what}`);

  function cellText(v: string): string | null {
    switch (type) {
      case 's': {
        const index = v.trim();
        const s = /^\d+$/.test(index) ? ctx.sharedStrings[Number(index)] : undefined;
        if (s === undefined) throw fail(`a cell refers to shared string '${index}', which does not exist`);
        return s;
      }
      case 'str':
      case 'inlineStr':
        return decodeOoxmlText(v);
      case 'b':
        return v === '1' || v === 'true' ? 'TRUE' : v === '0' || v === 'false' ? 'FALSE' : v;
      case 'e':
        return v;
      case 'd':
        return isoCellText(v.trim());
      default: {
        const number = v.trim();
        if (number === '') return null;
        if (!ctx.dateStyles[style]) return number;
        return serialToText(Number(number), ctx.date1904) ?? number;
      }
    }
  }

  return {
    open(name, a) {
      switch (name) {
        case 'row': {
          const r = a.r === undefined ? rowNumber + 1 : Number(a.r);
          if (!Number.isInteger(r) || r < 1 || r > MAX_ROWS) throw fail(`invalid row number '${a.r}'`);
          rowNumber = r;
          cells = [];
          column = -1;
          return;
        }
        case 'c': {
          const c = a.r === undefined ? column + 1 : columnIndex(a.r);
          if (c === undefined || c >= MAX_COLUMNS) throw fail(`invalid cell reference '${a.r}'`);
          column = c;
          type = a.t ?? 'n';
          style = a.s === undefined ? 0 : Number(a.s);
          value = undefined;
          return;
        }
        case 'v':
          if (!inInline) {
            collecting = true;
            value = '';
          }
          return;
        case 'is':
          inInline = true;
          value = '';
          return;
        case 'rPh':
          phoneticDepth++;
          return;
        case 't':
          collecting = inInline && phoneticDepth === 0;
      }
    },
    text(t) {
      if (collecting) value += t;
    },
    close(name) {
      switch (name) {
        case 'v':
        case 't':
          collecting = false;
          return;
        case 'rPh':
          phoneticDepth--;
          return;
        case 'is':
          inInline = false;
          return;
        case 'c': {
          const text = value === undefined ? null : cellText(value);
          if (text === null) return;
          while (cells.length < column) cells.push(null);
          cells[column] = text;
          return;
        }
        case 'row':
          while (cells.length > 0 && cells[cells.length - 1] === null) cells.pop();
          if (cells.length > 0) emit({ rowNumber, cells });
          cells = [];
      }
    },
  };
}

function pickSheet(sheets: SheetPart[], wanted: string | undefined): SheetPart {
  if (sheets.length === 0) throw new XlsxError('XLSX_SHEET', 'the workbook has no worksheets');
  if (wanted === undefined) return sheets[0]!;
  const found =
    sheets.find((s) => s.name === wanted) ??
    sheets.find((s) => s.name.toLowerCase() === wanted.toLowerCase());
  if (!found) {
    throw new XlsxError(
      'XLSX_SHEET',
      `sheet '${wanted}' not found; sheets: ${sheets.map((s) => s.name).join(', ')}`,
    );
  }
  return found;
}

/** The names of a workbook's worksheets, in order. */
export async function listXlsxSheets(blob: Blob, caps: XlsxCaps = DEFAULT_XLSX_CAPS): Promise<string[]> {
  return (await readWorkbookParts(await openGuardedZip(blob, caps))).sheets.map((s) => s.name);
}

/** The rows of one sheet (default: the first), streamed. */
export async function* readXlsxRows(
  blob: Blob,
  options: { sheet?: string; caps?: XlsxCaps } = {},
): AsyncGenerator<XlsxRow> {
  const zip = await openGuardedZip(blob, options.caps ?? DEFAULT_XLSX_CAPS);
  const workbook = await readWorkbookParts(zip);
  const sheet = pickSheet(workbook.sheets, options.sheet);
  if (!zip.has(sheet.part)) throw notXlsx(`the part of sheet '${sheet.name}' is missing`);
  const context = {
    sheet: sheet.name,
    sharedStrings: await readSharedStrings(zip, workbook.sharedStrings),
    dateStyles: await readDateStyles(zip, workbook.styles),
    date1904: workbook.date1904,
  };
  const ready: XlsxRow[] = [];
  const handlers = sheetRowHandlers(context, (row) => ready.push(row));
  yield* parsePart(zip, sheet.part, handlers, () => ready.splice(0));
}
