import { inferInputColumns, type Column } from '@tidyvault/core';
import { NodeEngine } from '@tidyvault/engine-node';
import type { Args } from '../args.js';
import { openInput } from '../open-input.js';
import { readRecipeFile } from './clean.js';

export async function validate(args: Args): Promise<number> {
  const file = args.positionals[0]!;
  const recipe = readRecipeFile(file);
  const input = args.values.input;
  let columns: Column[];
  let engine: NodeEngine;
  if (typeof input === 'string') {
    const opened = await openInput(args, input, 'reading');
    engine = opened.engine;
    columns = opened.dataset.columns;
  } else {
    columns = inferInputColumns(recipe);
    engine = await NodeEngine.open({ allowedPaths: [] });
  }
  try {
    await engine.validate({ table: 'input', columns, rowCount: 0, warnings: [] }, recipe);
  } finally {
    await engine.close();
  }
  const against = typeof input === 'string' ? ` against ${input}` : '';
  process.stdout.write(
    `${file}: valid (${recipe.steps.length} step${recipe.steps.length === 1 ? '' : 's'})${against}\n`,
  );
  return 0;
}
