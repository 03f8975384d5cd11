export * from './formula-guard.js';
export * from './json-text.js';
export {
  columnLetters,
  dateToSerial,
  safeSheetName,
  xlsxParts,
  XLSX_MAX_CELL_CHARS,
  XLSX_MAX_COLUMNS,
  XLSX_MAX_ROWS,
  type XlsxCell,
  type XlsxColumn,
  type XlsxColumnType,
  type XlsxPart,
} from './xlsx-sheet.js';
