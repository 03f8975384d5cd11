const BUILTIN_DATE_FORMAT_IDS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);
const DAY_MS = 86_400_000;
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);
/** The first serial of 1900 after Excel's phantom 1900-02-29 (serial 60, a Lotus 1-2-3 leap-year bug). */
const FIRST_SERIAL_AFTER_BUG = 61;

/** Whether a custom format code shows a date or time: y/m/d/h/s outside quotes, brackets and escapes. */
export function isDateFormatCode(code: string): boolean {
  const bare = code.replace(/"[^"]*"|\[[^\]]*\]|\\.|[_*]./g, '');
  return /[ymdhs]/i.test(bare);
}

/** cellXfs numFmtId → is it a date; custom codes (numFmts) win over the built-in ids. */
export function isDateFormat(numFmtId: number, customCodes: ReadonlyMap<number, string>): boolean {
  const code = customCodes.get(numFmtId);
  return code === undefined ? BUILTIN_DATE_FORMAT_IDS.has(numFmtId) : isDateFormatCode(code);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` (to the nearest second); undefined when Excel cannot show it as a date. */
export function serialToText(serial: number, date1904: boolean): string | undefined {
  if (!Number.isFinite(serial) || serial < 0) return undefined;
  const totalSeconds = Math.round(serial * 86_400);
  const days = Math.floor(totalSeconds / 86_400);
  const seconds = totalSeconds - days * 86_400;
  let date: string;
  if (!date1904 && days === 60) date = '1900-02-29';
  else {
    const epoch = date1904 ? EPOCH_1904 : days < FIRST_SERIAL_AFTER_BUG ? EPOCH_1900 + DAY_MS : EPOCH_1900;
    const d = new Date(epoch + days * DAY_MS);
    if (d.getUTCFullYear() > 9999) return undefined;
    date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  }
  if (seconds === 0) return date;
  return `${date} ${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
}
