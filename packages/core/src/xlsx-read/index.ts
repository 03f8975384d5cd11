export { listXlsxSheets, readXlsxRows, type ReadXlsxOptions } from './read-xlsx.js';
export type { XlsxRow } from './sheet-rows.js';
export { XlsxError, type XlsxErrorCode } from './xlsx-error.js';
export { DEFAULT_XLSX_CAPS, openGuardedZip, type GuardedZip, type XlsxCaps } from './guarded-zip.js';
export { xlsxTable, type XlsxTable, type XlsxTableOptions } from './xlsx-table.js';
