import { isReservedColumnName } from '../compile/analyze.js';

export interface ColumnNameOptions {
  /**
   * Treat names differing only in letter case as duplicates. DuckDB does (a table cannot have both
   * "Name" and "name"), so pass this when the names become DuckDB columns: reserved names
   * (`rowid`, which would hide DuckDB's row number, in any case) are then renamed too.
   */
  caseInsensitive?: boolean;
}

const keyFor = (options: ColumnNameOptions) => (name: string) =>
  options.caseInsensitive ? name.toLowerCase() : name;

function cleanName(raw: string | null | undefined): string {
  return (raw ?? '')
    .replaceAll('\u0000', '')
    .replace(/^\uFEFF+/, '')
    .trim();
}

/** Hands out `base_2`, `base_3`, … not yet taken, remembering where each base left off. */
class SuffixPicker {
  private readonly next = new Map<string, number>();
  constructor(
    private readonly taken: Set<string>,
    private readonly key: (name: string) => string,
  ) {}

  pick(base: string): string {
    let n = this.next.get(base) ?? 2;
    let candidate = `${base}_${n}`;
    while (this.taken.has(this.key(candidate))) candidate = `${base}_${++n}`;
    this.next.set(base, n + 1);
    this.taken.add(this.key(candidate));
    return candidate;
  }
}

/**
 * Usable column names from a header row: a leading BOM and NULs removed, whitespace trimmed; an
 * empty name becomes `column_N` (N its 1-based position; `column_N_2` when the file itself names a
 * column `column_N`); a repeated name becomes `name_2`,
 * `name_3`, … skipping names another column already has. The first occurrence keeps its name,
 * unless it is reserved (see ColumnNameOptions).
 */
export function repairHeaderNames(
  raw: readonly (string | null | undefined)[],
  options: ColumnNameOptions = {},
): string[] {
  const key = keyFor(options);
  const cleaned = raw.map(cleanName);
  // A name the file gives wins over one made for an empty cell: a recipe naming it means that column.
  const given = new Set(cleaned.filter((n) => n !== '').map(key));
  const names = cleaned.map((n, i) => n || `column_${i + 1}`);
  const suffixes = new SuffixPicker(new Set(names.map(key)), key);
  const kept = new Set<string>();
  return names.map((name, i) => {
    const made = cleaned[i] === '';
    if (
      (made && given.has(key(name))) ||
      kept.has(key(name)) ||
      (options.caseInsensitive && isReservedColumnName(name))
    )
      return suffixes.pick(name);
    kept.add(key(name));
    return name;
  });
}

/** Names for `count` extra columns at 1-based positions start…: `column_N`, made unique against `taken`. */
export function autoColumnNames(
  start: number,
  count: number,
  taken: Iterable<string> = [],
  options: ColumnNameOptions = {},
): string[] {
  const key = keyFor(options);
  const used = new Set([...taken].map(key));
  const suffixes = new SuffixPicker(used, key);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const base = `column_${start + i}`;
    const name = used.has(key(base)) ? suffixes.pick(base) : base;
    used.add(key(name));
    names.push(name);
  }
  return names;
}
