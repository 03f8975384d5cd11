import fs from 'node:fs';
import path from 'node:path';
import { parseRecipeText, TidyvaultError } from '@tidyvault/core';
import { NodeEngine, outputFormatFor } from '@tidyvault/engine-node';
import { requireString, type Args } from '../args.js';
import { AtomicOutput } from '../atomic-output.js';
import { engineOptions, importOptions } from '../input-options.js';
import { ProgressBar } from '../progress.js';

export function readRecipeFile(file: string) {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new TidyvaultError(
      'USAGE',
      `cannot read the recipe ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
      { file },
    );
  }
  return parseRecipeText(text, file);
}

export async function clean(args: Args): Promise<number> {
  const started = performance.now();
  const input = args.positionals[0]!;
  const recipeFile = requireString(args, 'recipe');
  const outputFile = requireString(args, 'output');
  const quiet = args.values.quiet === true;
  const format = outputFormatFor(outputFile, args.values.format as string | undefined);
  const recipe = readRecipeFile(recipeFile);
  const output = new AtomicOutput(outputFile, input);
  const bar = new ProgressBar('cleaning', !quiet && process.stderr.isTTY === true);
  const inputPath = path.resolve(input);
  const engine = await NodeEngine.open({
    ...engineOptions(args, [inputPath, output.temp]),
    ...(bar.listener ? { onProgress: bar.listener } : {}),
  });
  try {
    const dataset = await engine.importFile(inputPath, input, importOptions(args, 'input-format'));
    for (const w of dataset.warnings) process.stderr.write(`tidyvault clean: warning: ${input}: ${w}\n`);
    await engine.validate(dataset, recipe);
    const result = await engine.export(dataset, recipe, output.temp, {
      format,
      formulaGuard: args.values['no-formula-guard'] !== true,
    });
    output.commit();
    bar.done();
    if (!quiet) {
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      process.stderr.write(
        `wrote ${result.rows.toLocaleString('en')} rows × ${result.columns.length} columns to ${outputFile} (${format}) in ${seconds} s; ${dataset.rowCount.toLocaleString('en')} rows read, ${recipe.steps.length} steps\n`,
      );
    }
    return 0;
  } finally {
    bar.done();
    output.cleanup();
    await engine.close();
  }
}
