import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeEngine } from './node-engine.js';
import { SPILL_CLAIM } from './spill-folder.js';

const folders: string[] = [];
afterEach(() => folders.splice(0).forEach((f) => fs.rmSync(f, { recursive: true, force: true })));

function privateFolder(): string {
  const f = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-spill-claim-'));
  fs.chmodSync(f, 0o700);
  folders.push(f);
  return f;
}

describe('the spill folder', () => {
  it('loses the spill files of a process that is gone (kill -9) when the next one starts', async () => {
    const folder = privateFolder();
    // What a killed server leaves: DuckDB's plaintext blocks, and its claim on the folder.
    fs.writeFileSync(path.join(folder, 'duckdb_temp_storage_S32K-0.tmp'), 'CANARY plaintext block');
    fs.writeFileSync(path.join(folder, 'duckdb_temp_block-4611686018427388032.block'), 'CANARY');
    fs.writeFileSync(path.join(folder, SPILL_CLAIM), '999999999');
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'not DuckDB’s');
    const engine = await NodeEngine.open({ spillDirectory: folder, threads: 1, memoryLimit: '256MB' });
    try {
      expect([...engine.spillSwept].sort()).toEqual([
        'duckdb_temp_block-4611686018427388032.block',
        'duckdb_temp_storage_S32K-0.tmp',
      ]);
      expect(fs.readdirSync(folder).sort()).toEqual([SPILL_CLAIM, 'notes.txt']);
      expect(fs.readFileSync(path.join(folder, SPILL_CLAIM), 'utf8')).toBe(String(process.pid));
    } finally {
      await engine.close();
    }
    // Given back on close.
    expect(fs.existsSync(path.join(folder, SPILL_CLAIM))).toBe(false);
  });

  it('is refused while another running process spills into it', async () => {
    const folder = privateFolder();
    fs.writeFileSync(path.join(folder, SPILL_CLAIM), String(process.ppid));
    fs.writeFileSync(path.join(folder, 'duckdb_temp_storage_S32K-0.tmp'), 'in use');
    await expect(NodeEngine.open({ spillDirectory: folder, threads: 1 })).rejects.toThrow(
      new RegExp(`spill folder .* is in use by another process \\(${process.ppid}\\)`),
    );
    // Its files are left alone.
    expect(fs.existsSync(path.join(folder, 'duckdb_temp_storage_S32K-0.tmp'))).toBe(true);
  });
});
