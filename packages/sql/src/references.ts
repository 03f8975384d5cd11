import type { Select } from './ast.js';

function walk(node: unknown, counts: Map<string, number>): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, counts);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  if (o.kind === 'table' && typeof o.name === 'string') counts.set(o.name, (counts.get(o.name) ?? 0) + 1);
  for (const value of Object.values(o)) walk(value, counts);
}

/** How many times each table name is read in a query (FROM, joins, subqueries, CTE bodies). */
export function tableReferences(query: Select): Map<string, number> {
  const counts = new Map<string, number>();
  walk(query, counts);
  return counts;
}
