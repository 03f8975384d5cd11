import { clusterKeyTablesNote, inferInputColumns, recipeSql, type Column } from '@tidyvault/core';
import { UsageError, type Args } from '../args.js';
import { openInput } from '../open-input.js';
import { readRecipeFile } from './clean.js';

export async function sql(args: Args): Promise<number> {
  const recipe = readRecipeFile(args.positionals[0]!);
  let columns: Column[];
  const input = args.values.input;
  if (typeof input === 'string') {
    const { engine, dataset } = await openInput(args, input, 'reading');
    columns = dataset.columns;
    await engine.close();
  } else {
    columns = inferInputColumns(recipe);
    if (columns.length === 0)
      throw new UsageError(
        "the recipe names no column, so its SQL depends on the file's columns: pass --input <file>",
      );
  }
  const header = `-- Tidyvault recipe (${recipe.steps.length} steps) as one DuckDB query over a table named "input"\n-- input columns (text): ${columns.map((c) => JSON.stringify(c.name)).join(', ')}\n`;
  process.stdout.write(header + clusterKeyTablesNote(recipe) + recipeSql(recipe, 'input', columns) + ';\n');
  return 0;
}
