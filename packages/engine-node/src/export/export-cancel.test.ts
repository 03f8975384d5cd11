import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LoadedDataset } from '@tidyvault/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeEngine } from '../node-engine.js';

let dir: string;
let engine: NodeEngine;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-export-cancel-'));
  engine = await NodeEngine.open({ threads: 1, allowedDirectories: [dir] });
  await engine.connection.run(
    'CREATE TABLE cancel_t AS SELECT CAST(i AS VARCHAR) AS n FROM range(100000) t(i)',
  );
});
afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const data: LoadedDataset = {
  table: 'cancel_t',
  columns: [{ name: 'n', type: 'text' }],
  rowCount: 100_000,
  warnings: [],
};

describe('an XLSX export whose client left', () => {
  it('stops between chunks of rows and leaves no file', async () => {
    const file = path.join(dir, 'out.xlsx');
    const left = new AbortController();
    left.abort();
    await expect(
      engine.export(data, { version: 1, steps: [] }, file, { format: 'xlsx', signal: left.signal }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(fs.existsSync(file)).toBe(false);
  });

  it('writes the whole file when nobody stops it', async () => {
    const file = path.join(dir, 'whole.xlsx');
    const r = await engine.export(data, { version: 1, steps: [] }, file, {
      format: 'xlsx',
      signal: new AbortController().signal,
    });
    expect(r.rows).toBe(100_000);
    expect(fs.statSync(file).size).toBeGreaterThan(100_000);
  });
});
