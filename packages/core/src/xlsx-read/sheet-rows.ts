import { serialToText } from './excel-dates.js';
import { decodeOoxmlText } from './ooxml-text.js';
import type { XmlHandlers } from './xml-part.js';
import { damagedWorkbook, zipBomb } from './xlsx-error.js';

export interface XlsxRow {
  /** 1-based row number in the sheet. */
  rowNumber: number;
  /** By column (A = 0); a missing cell is null; trailing nulls are trimmed (a bare empty row has none). */
  cells: (string | null)[];
}

export interface SheetContext {
  sheet: string;
  sharedStrings: readonly string[];
  dateStyles: readonly boolean[];
  date1904: boolean;
  /**
   * Characters of shared strings the sheet's cells may copy out in all: each cell that refers to
   * a shared string repeats it, so a small file could expand to gigabytes of text.
   */
  sharedTextBudget: number;
  /** Filled while reading: formula cells the file holds no computed value for (read as empty). */
  stats?: SheetStats;
}

export interface SheetStats {
  formulasWithoutValue: number;
  /** The sheet row of the first of them. */
  firstFormulaRow?: number;
}

/** Shared-string text a sheet may repeat: this many times its own XML, and never less than the floor. */
export const SHARED_TEXT_RATIO = 100;
export const SHARED_TEXT_FLOOR = 64 * 2 ** 20;

const MAX_COLUMNS = 16_384;
const MAX_ROWS = 1_048_576;

/** `C7` → 2 (the letters of a cell reference, A = 0); undefined past XFD or when malformed. */
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

/** ISO 8601 date cells (`t="d"`) in the same shape as date-styled numbers. */
function isoCellText(v: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2}))?/.exec(v);
  if (!m) return v;
  return m[2] === undefined || m[2] === '00:00:00' ? m[1]! : `${m[1]} ${m[2]}`;
}

/** SAX handlers that turn `<sheetData>` into rows, handing each finished row to `emit`. */
export function sheetRowHandlers(ctx: SheetContext, emit: (row: XlsxRow) => void): Required<XmlHandlers> {
  let rowNumber = 0;
  let cells: (string | null)[] = [];
  let column = -1;
  let type = 'n';
  let style = 0;
  let value: string | undefined;
  let collecting = false;
  let bare = false;
  let formula = false;
  let inInline = false;
  let phoneticDepth = 0;

  const fail = (what: string) => damagedWorkbook(`sheet '${ctx.sheet}' row ${rowNumber}: ${what}`);
  let sharedText = 0;

  function cellText(v: string): string | null {
    switch (type) {
      case 's': {
        const index = v.trim();
        const s = /^\d+$/.test(index) ? ctx.sharedStrings[Number(index)] : undefined;
        if (s === undefined) throw fail(`a cell refers to shared string '${index}', which does not exist`);
        sharedText += s.length;
        if (sharedText > ctx.sharedTextBudget)
          throw zipBomb(
            `sheet '${ctx.sheet}' row ${rowNumber}: its cells repeat shared strings into more than ${SHARED_TEXT_RATIO} times the sheet's own size (over ${Math.round(ctx.sharedTextBudget / 2 ** 20)} M characters)`,
          );
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
          // Only a number (and Excel's spans), and no cells: a row written to be there, not one
          // kept for its formatting (height, style), which spreadsheets leave after the data.
          bare = Object.keys(a).every((k) => k === 'r' || k === 'spans');
          return;
        }
        case 'c': {
          // A row with (empty, styled) cells is formatting, not a row written empty.
          bare = false;
          formula = false;
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
        case 'f':
          formula = true;
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
          if (formula && value === undefined && ctx.stats) {
            ctx.stats.formulasWithoutValue++;
            ctx.stats.firstFormulaRow ??= rowNumber;
          }
          const text = value === undefined ? null : cellText(value);
          if (text === null) return;
          while (cells.length < column) cells.push(null);
          // One of the two values would be dropped without a word.
          if (cells[column] !== undefined && cells[column] !== null)
            throw fail(`the cell ${columnLetters(column)}${rowNumber} is given twice`);
          cells[column] = text;
          return;
        }
        case 'row':
          while (cells.length > 0 && cells[cells.length - 1] === null) cells.pop();
          if (cells.length > 0 || bare) emit({ rowNumber, cells });
          cells = [];
      }
    },
  };
}

/** 0 → A, 26 → AA: a column's letters, for messages. */
function columnLetters(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}
