const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** DuckDB's DATE 'infinity' and '-infinity' (days since the epoch). */
const INFINITY_DAYS = 2_147_483_647;

/**
 * Days since 1970-01-01 as DuckDB prints a DATE (what both engines' cells hold): YYYY-MM-DD,
 * the year at least 4 digits, years before 1 as `YYYY-MM-DD (BC)` (year 0 is 1 BC).
 */
export function formatDate(days: number): string {
  if (days === INFINITY_DAYS) return 'infinity';
  if (days === -INFINITY_DAYS) return '-infinity';
  // Howard Hinnant's civil_from_days (proleptic Gregorian).
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const body = `${pad(m, 2)}-${pad(d, 2)}`;
  return y > 0 ? `${pad(y, 4)}-${body}` : `${pad(1 - y, 4)}-${body} (BC)`;
}
