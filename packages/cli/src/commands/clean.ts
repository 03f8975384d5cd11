import fs from 'node:fs';
import path from 'node:path';
import { parseRecipeText, TidyvaultError } from '@tidyvault/core';
import { NodeEngine, outputFormatFor, unreadableReason } from '@tidyvault/engine-node';
import { exportToPostgres, importFromPostgres } from '@tidyvault/server/postgres';
import { requireKey, SecretsStore, tidyvaultHome, type PostgresCredentials } from '@tidyvault/server/secrets';
import { requireString, UsageError, type Args } from '../args.js';
import { AtomicOutput } from '../atomic-output.js';
import { engineOptions, importOptions } from '../input-options.js';
import { postgresPlan } from '../postgres-options.js';
import { ProgressBar } from '../progress.js';

const count = (n: number, what: string) => `${n.toLocaleString('en')} ${what}${n === 1 ? '' : 's'}`;

export function readRecipeFile(file: string) {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new TidyvaultError('USAGE', `cannot read the recipe ${file}: ${unreadableReason(e)}`, { file });
  }
  return parseRecipeText(text, file);
}

/** A connection's settings and password from the secrets store ($TIDYVAULT_HOME/secrets.json). */
function credentials(args: Args, name: string): PostgresCredentials {
  const flag = args.values.home;
  const home = typeof flag === 'string' && flag !== '' ? path.resolve(flag) : tidyvaultHome(process.env);
  const keyFile = args.values['secrets-key-file'];
  const key = requireKey({ keyFile: typeof keyFile === 'string' ? keyFile : undefined, home });
  return new SecretsStore(home, key).postgres(name);
}

export async function clean(args: Args): Promise<number> {
  const started = performance.now();
  const plan = postgresPlan(args);
  if (plan.from) {
    if (args.positionals.length > 0)
      throw new UsageError(
        `--from-postgres reads no input file; unexpected argument "${args.positionals[0]}"`,
      );
  } else if (args.positionals.length === 0) throw new UsageError('missing the input file');
  else if (args.positionals.length > 1) throw new UsageError(`unexpected argument "${args.positionals[1]}"`);
  if (plan.to && args.values.output !== undefined)
    throw new UsageError('--to-postgres writes a table: leave out -o');
  const input = plan.from ? undefined : args.positionals[0]!;
  const recipeFile = requireString(args, 'recipe');
  const outputFile = plan.to ? undefined : requireString(args, 'output');
  const quiet = args.values.quiet === true;
  const format =
    outputFile === undefined
      ? undefined
      : outputFormatFor(outputFile, args.values.format as string | undefined);
  const recipe = readRecipeFile(recipeFile);
  // Credentials are decrypted before any work, so a wrong key fails at once.
  const source = plan.from ? credentials(args, plan.from.connection) : undefined;
  const target = plan.to ? credentials(args, plan.to.connection) : undefined;
  const warn = (m: string) => process.stderr.write(`tidyvault clean: warning: ${m}\n`);
  const output =
    outputFile === undefined
      ? undefined
      : new AtomicOutput(outputFile, [
          { file: input ?? '', what: 'input' },
          { file: recipeFile, what: 'recipe' },
        ]);
  const bar = new ProgressBar('cleaning', !quiet && process.stderr.isTTY === true);
  const inputPath = input === undefined ? undefined : path.resolve(input);
  const engine = await NodeEngine.open({
    ...engineOptions(args, [...(inputPath ? [inputPath] : []), ...(output ? [output.temp] : [])]),
    ...(bar.listener ? { onProgress: bar.listener } : {}),
  });
  try {
    const dataset =
      plan.from && source
        ? await importFromPostgres(engine, source, plan.from.source, { onWarning: warn })
        : await engine.importFile(inputPath!, input!, importOptions(args, 'input-format'));
    const label = plan.from ? `${plan.from.connection}` : input!;
    for (const w of dataset.warnings) process.stderr.write(`tidyvault clean: warning: ${label}: ${w}\n`);
    await engine.validate(dataset, recipe);
    let written: { rows: number; columns: unknown[] };
    let where: string;
    if (plan.to && target) {
      const r = await exportToPostgres(engine, dataset, recipe, target, plan.to.table, { onWarning: warn });
      written = r;
      where = `${plan.to.connection} table ${r.table} (new)`;
    } else {
      written = await engine.export(dataset, recipe, output!.temp, {
        format: format!,
        formulaGuard: args.values['no-formula-guard'] !== true,
      });
      output!.commit();
      where = `${outputFile} (${format})`;
    }
    bar.done();
    if (!quiet) {
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      process.stderr.write(
        `wrote ${count(written.rows, 'row')} × ${count(written.columns.length, 'column')} to ${where} in ${seconds} s; ${count(dataset.rowCount, 'row')} read, ${count(recipe.steps.length, 'step')}\n`,
      );
    }
    return 0;
  } finally {
    bar.done();
    output?.cleanup();
    await engine.close();
  }
}
