import { bin, call, col, lit, type Expr, type Select } from '@tidyvault/sql';
import type { LoadedDataset } from '../engine/engine.js';
import type { Recipe } from '../recipe/schema.js';

/**
 * How many rows a dedupe on `keys` keeps from `table`: the number of distinct key tuples (NULLs
 * equal), exactly, without grouping every row by every key column. Rows are grouped by a 64-bit
 * hash of their keys instead (about half the time on W1's twelve text columns), and only the rows of
 * hashes met more than once (the duplicates, and any collision) are grouped by their keys to
 * count the distinct tuples behind each such hash. `hash` (never NULL) is replaceable so tests
 * can force collisions. Worth it from three key columns; with fewer, grouping by them is cheaper.
 */
export function distinctRowsCountQuery(
  table: string,
  keys: string[],
  hash: (columns: Expr[]) => Expr = (columns) => call('hash', ...columns),
): Select {
  const h = (alias?: string) => hash(keys.map((k) => col(k, alias)));
  let name = '__tidyvault_hash__';
  while (keys.includes(name)) name += '_';
  const count: Expr = { kind: 'countStar' };
  const scalar = (query: Select): Expr => ({ kind: 'subquery', query });
  return {
    kind: 'select',
    with: [
      {
        name: 'hashes',
        materialized: true,
        query: {
          kind: 'select',
          columns: [{ expr: col(name) }, { expr: count, as: 'n' }],
          // Grouped by the name: a constant (a test's hash) would read as a column number.
          from: {
            kind: 'subquery',
            alias: 'hashed',
            query: {
              kind: 'select',
              columns: [{ expr: h(), as: name }],
              from: { kind: 'table', name: table },
            },
          },
          groupBy: [col(name)],
        },
      },
      {
        name: 'tuples',
        query: {
          kind: 'select',
          distinct: true,
          columns: [{ expr: col(name, 'm') }, ...keys.map((k) => ({ expr: col(k, 't') }))],
          from: {
            kind: 'join',
            type: 'INNER',
            left: { kind: 'table', name: table, alias: 't' },
            right: {
              kind: 'subquery',
              alias: 'm',
              query: {
                kind: 'select',
                columns: [{ expr: col(name) }],
                from: { kind: 'table', name: 'hashes' },
                where: bin('>', col('n'), lit(1)),
              },
            },
            on: bin('=', h('t'), col(name, 'm')),
          },
        },
      },
    ],
    columns: [
      {
        // One row per hash, plus the tuples a shared hash hides (none unless two tuples collide).
        expr: bin(
          '+',
          scalar({ kind: 'select', columns: [{ expr: count }], from: { kind: 'table', name: 'hashes' } }),
          scalar({
            kind: 'select',
            columns: [
              {
                expr: bin('-', call('count', col(name)), {
                  kind: 'call',
                  fn: 'count',
                  args: [col(name)],
                  distinct: true,
                }),
              },
            ],
            from: { kind: 'table', name: 'tuples' },
          }),
        ),
        as: 'n',
      },
    ],
  };
}

/**
 * The row count of `recipe` on `data` by distinctRowsCountQuery, when the recipe is one dedupe of
 * at least three columns; otherwise undefined (count the recipe's output).
 */
export function dedupeCountQuery(data: LoadedDataset, recipe: Recipe): Select | undefined {
  const [step, ...rest] = recipe.steps;
  if (step?.op !== 'dedupe-rows' || rest.length > 0) return undefined;
  const keys = step.columns ?? data.columns.map((c) => c.name);
  return keys.length < 3 ? undefined : distinctRowsCountQuery(data.table, keys);
}
