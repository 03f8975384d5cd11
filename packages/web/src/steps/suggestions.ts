import { PROFILE_DATE_FORMATS_FOR_UI } from './date-formats.js';
import type { ColumnProfile, Step } from '../api/types.js';

export interface Suggestion {
  column: string;
  text: string;
  action: string;
  step: Step;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** What the profile says could be fixed, each as one ordinary step. */
export function suggest(columns: ColumnProfile[], rows: number): Suggestion[] {
  const out: Suggestion[] = [];
  for (const c of columns) {
    if (c.type !== 'text') continue;
    const name = c.name;
    if ((c.padded ?? 0) > 0)
      out.push({
        column: name,
        text: `${(c.padded ?? 0).toLocaleString('en')} value${c.padded === 1 ? '' : 's'} with leading or trailing spaces`,
        action: 'Trim',
        step: { op: 'trim', columns: [name] },
      });
    const filled = rows - c.nulls - c.blanks;
    if (filled > 0 && c.blanks > 0)
      out.push({
        column: name,
        text: `${c.blanks.toLocaleString('en')} blank value${c.blanks === 1 ? '' : 's'}`,
        action: 'Set blanks to null',
        step: { op: 'blank-to-null', columns: [name] },
      });
    const share = c.typeShare ?? 1;
    // Codes such as 000123 (zip codes, ids) read as numbers lose their leading zeros.
    const zeros = c.topValues.find((t) => typeof t.value === 'string' && /^\s*[+-]?0\d/.test(t.value));
    if (c.inferredType === 'integer' || c.inferredType === 'number')
      out.push({
        column: name,
        text: zeros
          ? `${pct(share)} numeric, but values such as "${String(zeros.value).trim()}" have leading zeros (a code?), which a conversion drops`
          : `${pct(share)} numeric`,
        action:
          (c.inferredType === 'integer' ? 'Convert to whole numbers' : 'Convert to number') +
          (zeros ? ' anyway' : ''),
        step:
          c.inferredType === 'integer'
            ? { op: 'to-integer', columns: [name] }
            : { op: 'to-number', columns: [name] },
      });
    if (c.inferredType === 'date')
      out.push({
        column: name,
        text: `${pct(share)} dates`,
        action: 'Convert to date',
        step: { op: 'to-date', columns: [name], formats: PROFILE_DATE_FORMATS_FOR_UI },
      });
    const looksLikeEmail = c.topValues.some(
      (t) => typeof t.value === 'string' && /^[^@\s]+@[^@\s]+$/.test(t.value),
    );
    if (looksLikeEmail && (c.mixedCase ?? 0) > 0)
      out.push({
        column: name,
        text: `mixed case (${(c.mixedCase ?? 0).toLocaleString('en')} with capitals)`,
        action: 'Lowercase',
        step: { op: 'change-case', columns: [name], case: 'lower' },
      });
  }
  return out;
}
