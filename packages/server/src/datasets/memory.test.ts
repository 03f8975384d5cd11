import { afterEach, expect, it } from 'vitest';
import { NodeEngine } from '@tidyvault/engine-node';
import { EngineMemory } from './memory.js';

let engine: NodeEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

/** Makes one table of `rows` short text values through EngineMemory; how many compactions ran. */
async function compactions(memoryLimit: string, rows: number): Promise<{ runs: number; bytes: number }> {
  engine = await NodeEngine.open({ threads: 2, memoryLimit, compressTables: true });
  const e = engine;
  let runs = 0;
  const compact = e.compact.bind(e);
  e.compact = async () => {
    runs++;
    await compact();
  };
  const memory = new EngineMemory(e);
  const { bytes } = await memory.create(() =>
    e.connection.run(`CREATE TABLE t AS SELECT 'value number ' || i AS v FROM range(${rows}) r(i)`),
  );
  // The compaction is queued after the creation, under the same lock: the next call waits for it.
  await memory.drop(async () => undefined);
  return { runs, bytes };
}

it('compresses a new table only while DuckDB holds less than half its memory limit', async () => {
  const roomy = await compactions('2GB', 2_000_000);
  expect(roomy.bytes).toBeGreaterThan(40 * 2 ** 20);
  expect(roomy.runs).toBe(1);
  // The same table under a limit it fills more than half of: a checkpoint could run out of
  // memory, which would leave DuckDB refusing every query; the table stays as it is.
  const tight = await compactions(`${Math.round((1.5 * roomy.bytes) / 2 ** 20)}MB`, 2_000_000);
  expect(tight.runs).toBe(0);
});
