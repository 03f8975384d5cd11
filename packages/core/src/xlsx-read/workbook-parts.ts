import { isDateFormat } from './excel-dates.js';
import { decodeOoxmlText } from './ooxml-text.js';
import { readPart } from './xml-part.js';
import { notXlsx } from './xlsx-error.js';
import type { GuardedZip } from './guarded-zip.js';
import { posix } from './part-names.js';

export interface SheetPart {
  name: string;
  part: string;
}

export interface WorkbookParts {
  /** Worksheets in workbook order (chart and dialog sheets left out). */
  sheets: SheetPart[];
  date1904: boolean;
  sharedStrings: string | undefined;
  styles: string | undefined;
}

interface Relationship {
  type: string;
  part: string;
}

const relsPathOf = (part: string): string =>
  posix.join(posix.dirname(part), '_rels', `${posix.basename(part)}.rels`);

function resolveTarget(source: string, target: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(target);
  } catch {
    return undefined;
  }
  const joined = decoded.startsWith('/') ? decoded.slice(1) : posix.join(posix.dirname(source), decoded);
  const part = posix.normalize(joined);
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

async function findWorkbook(zip: GuardedZip): Promise<string> {
  const workbook = ofType(await readRelationships(zip, ''), '/officeDocument') ?? 'xl/workbook.xml';
  if (!zip.has(workbook)) throw notXlsx('it has no workbook part (is it an .xls, .ods or a different zip?)');
  return workbook;
}

/** `r:id`, whatever prefix the file gave the relationships namespace. */
const relationshipId = (a: Record<string, string>): string =>
  Object.entries(a).find(([k]) => k.endsWith(':id'))?.[1] ?? '';

const isTrue = (v: string | undefined): boolean => v === '1' || v === 'true';

export async function readWorkbookParts(zip: GuardedZip): Promise<WorkbookParts> {
  const workbook = await findWorkbook(zip);
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
    sharedStrings: existing(
      ofType(rels, '/sharedStrings'),
      posix.join(posix.dirname(workbook), 'sharedStrings.xml'),
    ),
    styles: existing(ofType(rels, '/styles'), posix.join(posix.dirname(workbook), 'styles.xml')),
  };
}

/** Each `<si>` as one string: rich-text runs concatenated, phonetic guides (`<rPh>`) left out. */
export async function readSharedStrings(zip: GuardedZip, part: string | undefined): Promise<string[]> {
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

/** For each cell style (cellXfs index, the `s` attribute of a cell): does it show a date? */
export async function readDateStyles(zip: GuardedZip, part: string | undefined): Promise<boolean[]> {
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
