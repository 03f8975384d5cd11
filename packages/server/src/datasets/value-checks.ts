import { valueChecks, type Recipe } from '@tidyvault/core';
import type { NodeEngine } from '@tidyvault/engine-node';
import { call, cast, col, select } from '@tidyvault/sql';
import type { RecipeStates } from './states.js';

/**
 * Before `next` replaces `before`: the values of each new step that may refuse to make one (a
 * value past the most a cell may hold), computed over every row. A refusal is the change's 422,
 * naming the step and column, and nothing changes; otherwise every read after it would fail.
 */
export async function checkValues(
  engine: NodeEngine,
  states: RecipeStates,
  before: Recipe,
  next: Recipe,
): Promise<void> {
  for (const check of valueChecks(before, next)) {
    const upTo: Recipe = { version: 1, steps: next.steps.slice(0, check.upTo) };
    await states.read(upTo, (v) =>
      engine.onOutput(v.data, v.recipe, async (source) => {
        await engine.connection.run(
          select({
            kind: 'select',
            columns: check.columns.map((name, i) => ({
              expr: call('max', call('strlen', cast(col(name), 'VARCHAR'))),
              as: `m${i}`,
            })),
            from: { kind: 'subquery', query: source, alias: 'q' },
          }),
        );
      }),
    );
  }
}
