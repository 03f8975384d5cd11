import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeEngine } from './node-engine.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-interrupt-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('NodeEngine.interrupt', () => {
  it('stops a file load that is running (Ctrl+C in the CLI), and the engine stays usable', async () => {
    // ~40 MB: DuckDB needs far longer than the moment before the interrupt to read it.
    const file = path.join(dir, 'big.csv');
    const row = 'a fairly long text value,another text value,12345\n';
    fs.writeFileSync(file, 'x,y,z\n' + row.repeat(800_000));
    const engine = await NodeEngine.open({ allowedPaths: [file] });
    try {
      const load = engine.importFile(file, 'big.csv', {});
      const outcome = load.then(
        () => 'loaded',
        (e: Error) => e.message,
      );
      await new Promise((r) => setTimeout(r, 30));
      engine.interrupt();
      expect(await outcome).toMatch(/interrupt/i);
      const small = await engine.loadCsv('small.csv', new TextEncoder().encode('a\n1\n'));
      expect((await engine.run(small, { version: 1, steps: [] })).rows).toEqual([['1']]);
    } finally {
      await engine.close();
    }
  });
});
