import type { ColumnProfile } from '../api/types.js';

export interface Quality {
  valid: number;
  invalid: number;
  missing: number;
}

/**
 * Shares of a column's rows (0–1) that are valid for its intended type, invalid, or missing
 * (null or blank). A text column whose values look like numbers or dates is judged as that type.
 */
export function quality(p: ColumnProfile, rows: number): Quality {
  if (rows === 0) return { valid: 0, invalid: 0, missing: 0 };
  const missing = (p.nulls + p.blanks) / rows;
  const typed = p.type === 'text' && p.inferredType !== 'text' && p.inferredType !== 'empty';
  const share = typed ? (p.typeShare ?? 1) : 1;
  const present = 1 - missing;
  return { valid: present * share, invalid: present * (1 - share), missing };
}
