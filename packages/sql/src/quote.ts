/**
 * Quoting for DuckDB. DuckDB's parser stops at a NUL character and rejects the empty quoted
 * identifier, so identifiers containing NUL or empty names are refused (importers repair such
 * names before they reach SQL); NUL inside string literals is spelled with chr(0).
 */
export class SqlQuoteError extends Error {}

export function quoteIdentifier(name: string): string {
  if (name.length === 0) throw new SqlQuoteError('a column or table name cannot be empty');
  if (name.includes('\0')) throw new SqlQuoteError('a column or table name cannot contain the NUL character');
  return '"' + name.replaceAll('"', '""') + '"';
}

export function quoteString(value: string): string {
  if (!value.includes('\0')) return "'" + value.replaceAll("'", "''") + "'";
  const parts = value.split('\0').map((p) => "'" + p.replaceAll("'", "''") + "'");
  return '(' + parts.join(' || chr(0) || ') + ')';
}
