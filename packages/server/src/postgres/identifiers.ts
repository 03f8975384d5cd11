import pg from 'pg';
import { PostgresError } from './errors.js';

/** A table name as PostgreSQL stores it: schema (absent: the search path's first) and table. */
export interface TableName {
  schema?: string;
  table: string;
}

/** PostgreSQL keeps the first 63 bytes of an identifier and drops the rest, silently. */
export const MAX_IDENTIFIER_BYTES = 63;

/**
 * `table`, `schema.table`, with PostgreSQL's rules: an unquoted part is folded to lower case, a
 * "double-quoted" one is kept exactly (`""` inside it is one quote), so `public."Sales.2024"`
 * names the table Sales.2024 in public.
 */
export function parseTableName(raw: string): TableName {
  const parts: string[] = [];
  let i = 0;
  const bad = (why: string) =>
    new PostgresError(
      'QUERY',
      `"${raw.slice(0, 200)}" is not a table name (${why}); write table or schema.table`,
    );
  while (i <= raw.length) {
    let part = '';
    if (raw[i] === '"') {
      i++;
      for (;;) {
        if (i >= raw.length) throw bad('an unclosed double quote');
        if (raw[i] === '"') {
          if (raw[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += raw[i++];
      }
    } else {
      const start = i;
      while (i < raw.length && raw[i] !== '.' && raw[i] !== '"') i++;
      part = raw.slice(start, i).trim().toLowerCase();
      if (raw[i] === '"') throw bad('a double quote inside a name; quote the whole name');
    }
    if (part === '') throw bad('an empty name');
    if (part.includes('\u0000')) throw bad('a NUL character');
    if (Buffer.byteLength(part) > MAX_IDENTIFIER_BYTES)
      throw bad(`"${part.slice(0, 80)}" is longer than PostgreSQL's ${MAX_IDENTIFIER_BYTES} bytes`);
    parts.push(part);
    if (i >= raw.length) break;
    if (raw[i] !== '.') throw bad('text after a quoted name');
    i++;
    if (i >= raw.length) throw bad('nothing after the last dot');
  }
  if (parts.length > 2) throw bad('more than two parts');
  return parts.length === 2 ? { schema: parts[0]!, table: parts[1]! } : { table: parts[0]! };
}

/** The quoted SQL form ("schema"."table"), through pg's escapeIdentifier. */
export function quoteTableName(t: TableName): string {
  return t.schema === undefined
    ? pg.escapeIdentifier(t.table)
    : `${pg.escapeIdentifier(t.schema)}.${pg.escapeIdentifier(t.table)}`;
}

/** How to show it in messages: schema.table, quoted only where PostgreSQL would need it. */
export function showTableName(t: TableName): string {
  const show = (s: string) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : pg.escapeIdentifier(s));
  return t.schema === undefined ? show(t.table) : `${show(t.schema)}.${show(t.table)}`;
}
