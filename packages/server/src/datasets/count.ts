import { dedupeCountQuery, type LoadedDataset, type Recipe } from '@tidyvault/core';
import type { NodeEngine } from '@tidyvault/engine-node';
import { select } from '@tidyvault/sql';

const CACHED_COUNTS = 32;

/** Row counts per recipe state of one dataset (a grid asks for the same count on every page). */
export class RowCounts {
  private readonly counts = new Map<string, number>();

  async count(engine: NodeEngine, data: LoadedDataset, recipe: Recipe): Promise<number> {
    if (recipe.steps.length === 0) return data.rowCount;
    // A recipe state's table and the steps run on it (a view filter runs on a materialised state).
    const key = `${data.table}:${JSON.stringify(recipe.steps)}`;
    const known = this.counts.get(key);
    if (known !== undefined) return known;
    const byHash = dedupeCountQuery(data, recipe);
    const n = await (byHash
      ? engine.runQuery(byHash, [{ name: 'n', type: 'integer' }]).then((r) => Number(r.rows[0]![0]))
      : engine.onOutput(data, recipe, async (source) => {
          const reader = await engine.connection.runAndReadAll(
            select({
              kind: 'select',
              columns: [{ expr: { kind: 'countStar' }, as: 'n' }],
              from: { kind: 'subquery', query: source, alias: 'q' },
            }),
          );
          return Number(reader.getRowsJson()[0]![0]);
        }));
    if (this.counts.size >= CACHED_COUNTS) this.counts.delete(this.counts.keys().next().value!);
    this.counts.set(key, n);
    return n;
  }
}
