import { isTidyvaultError, parseRecipe, type Engine, type TableResult } from '@tidyvault/core';

/** What an engine made of one input and recipe: compared field by field between engines. */
export interface Captured {
  load?: { columns: { name: string; type: string }[]; rowCount: number; warnings: string[] };
  result?: TableResult;
  error?: { code: string; message: string; location: unknown } | { unexpected: string };
}

export const describe = (e: unknown): Captured['error'] =>
  isTidyvaultError(e)
    ? { code: e.code, message: e.message, location: e.location }
    : { unexpected: String((e as Error)?.message ?? e) };

/** Load `bytes` as `name`, then check and run `recipe`: the import, the result or the error. */
export async function capture(
  engine: Engine,
  name: string,
  bytes: Uint8Array,
  recipe: unknown,
  load: (name: string, bytes: Uint8Array) => ReturnType<Engine['loadCsv']> = (n, b) => engine.loadCsv(n, b),
): Promise<Captured> {
  let dataset;
  try {
    dataset = await load(name, bytes);
  } catch (e) {
    return { error: describe(e) };
  }
  const out: Captured = {
    load: { columns: dataset.columns, rowCount: dataset.rowCount, warnings: dataset.warnings },
  };
  try {
    const parsed = parseRecipe(recipe);
    await engine.validate(dataset, parsed);
    out.result = await engine.run(dataset, parsed);
  } catch (e) {
    out.error = describe(e);
  } finally {
    await engine.drop(dataset);
  }
  return out;
}
