import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { NodeEngine } from '../node-engine.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-oom-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('says the engine ran out of memory, not that the file is malformed', async () => {
  const file = path.join(dir, 'big.csv');
  fs.writeFileSync(file, 'a,b\n' + 'x,y\n'.repeat(1000));
  const engine = await NodeEngine.open({ allowedPaths: [file], memoryLimit: '8MB', threads: 1 });
  try {
    await expect(engine.importFile(file, 'big.csv')).rejects.toMatchObject({
      code: 'OUT_OF_MEMORY',
      message: expect.stringMatching(/^big\.csv: not enough memory to load it/) as unknown,
    });
  } finally {
    await engine.close();
  }
});

it('loads a small CSV under a modest memory limit (the read buffer is not sized for 16 lines of 16 MiB)', async () => {
  const file = path.join(dir, 'small.csv');
  fs.writeFileSync(file, 'a,b\n1,2\n');
  const engine = await NodeEngine.open({ allowedPaths: [file], memoryLimit: '200MB', threads: 2 });
  try {
    const loaded = await engine.importFile(file, 'small.csv');
    expect(loaded.rowCount).toBe(1);
  } finally {
    await engine.close();
  }
});

it('says a small Parquet file whose text does not fit ran out of memory, not that it is broken', async () => {
  const file = path.join(dir, 'dense.parquet');
  const maker = await DuckDBInstance.create(':memory:');
  const c = await maker.connect();
  // 400 cells of a million characters: 400 MB of text in a file of a few kilobytes.
  await c.run(`COPY (SELECT repeat('x', 1000000) AS v FROM range(400)) TO '${file}' (FORMAT parquet)`);
  c.closeSync();
  expect(fs.statSync(file).size).toBeLessThan(1_000_000);
  const engine = await NodeEngine.open({ allowedPaths: [file], memoryLimit: '128MB', threads: 1 });
  try {
    await expect(engine.importFile(file, 'dense.parquet')).rejects.toMatchObject({
      code: 'OUT_OF_MEMORY',
      message: expect.stringMatching(/^dense\.parquet: not enough memory to load it/) as unknown,
    });
  } finally {
    await engine.close();
  }
});
