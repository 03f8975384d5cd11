import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { NodeEngine } from '../node-engine.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-oom-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('says the engine ran out of memory, not that the file is malformed', async () => {
  const file = path.join(dir, 'big.csv');
  fs.writeFileSync(file, 'a,b\n' + 'x,y\n'.repeat(1000));
  const engine = await NodeEngine.open({ allowedPaths: [file], memoryLimit: '32MB', threads: 1 });
  try {
    await expect(engine.importFile(file, 'big.csv')).rejects.toMatchObject({
      code: 'OUT_OF_MEMORY',
      message: expect.stringMatching(/^big\.csv: not enough memory to load it/) as unknown,
    });
  } finally {
    await engine.close();
  }
});
