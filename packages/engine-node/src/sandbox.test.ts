import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadedExtensionsProblem, openSandbox, selfCheck, type Sandbox } from './sandbox.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-sandbox-'));
const allowed = path.join(dir, 'allowed.csv');
const other = path.join(dir, 'other.csv');
fs.writeFileSync(allowed, 'a\n1\n');
fs.writeFileSync(other, 'secret\nx\n');
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await openSandbox({ allowedPaths: [allowed], memoryLimit: '512MB', threads: 1 });
});
afterAll(() => {
  sandbox.connection.closeSync();
  sandbox.instance.closeSync();
});

const run = (sql: string) => sandbox.connection.run(sql);

describe('DuckDB sandbox', () => {
  it('reads the allowed file and nothing else', async () => {
    const r = await sandbox.connection.runAndReadAll(
      `SELECT count(*)::INTEGER AS n FROM read_csv('${allowed}')`,
    );
    expect(r.getRowsJson()).toEqual([[1]]);
    await expect(run(`SELECT * FROM read_csv('${other}')`)).rejects.toThrow(/disabled by configuration/);
    await expect(run(`SELECT * FROM read_csv('/etc/passwd')`)).rejects.toThrow(/disabled by configuration/);
  });

  it('cannot write files, attach databases, install or load extensions', async () => {
    await expect(run(`COPY (SELECT 1) TO '${path.join(dir, 'out.csv')}'`)).rejects.toThrow(
      /disabled by configuration/,
    );
    await expect(run(`ATTACH '${path.join(dir, 'db.duckdb')}' AS x`)).rejects.toThrow();
    await expect(run('INSTALL httpfs')).rejects.toThrow();
    await expect(run('LOAD httpfs')).rejects.toThrow();
    await expect(run(`SELECT * FROM read_csv('https://example.com/x.csv')`)).rejects.toThrow();
    expect(fs.existsSync(path.join(dir, 'out.csv'))).toBe(false);
  });

  it('cannot be unlocked', async () => {
    await expect(run('SET enable_external_access = true')).rejects.toThrow(/locked/);
    await expect(run(`SET temp_directory = '${dir}'`)).rejects.toThrow(/locked/);
    await expect(run('SET lock_configuration = false')).rejects.toThrow(/locked/);
  });

  it('reports the locked settings, with spilling off', () => {
    expect(sandbox.settings).toMatchObject({
      enable_external_access: 'false',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allow_community_extensions: 'false',
      lock_configuration: 'true',
      temp_directory: '',
    });
    expect(sandbox.settings.memory_limit).toMatch(/MiB|GiB|MB|GB/);
  });

  it('refuses to run when a setting differs from the policy', async () => {
    await expect(selfCheck(sandbox.connection, { spillDirectory: '/somewhere' })).rejects.toThrow(
      /self-check failed, refusing to run: temp_directory=/,
    );
  });

  it('has only the extensions built into DuckDB loaded, and would refuse to run with any other', async () => {
    // Listed by an unlocked instance (a locked one may not read DuckDB's extension folder).
    const unlocked = await (await DuckDBInstance.create(':memory:')).connect();
    const r = await unlocked.runAndReadAll(
      'SELECT extension_name, install_mode FROM duckdb_extensions() WHERE loaded ORDER BY 1',
    );
    const loaded = r.getRowsJson().map(([name, mode]) => ({ name: String(name), mode: String(mode) }));
    expect(loaded.map((e) => e.name)).toEqual(expect.arrayContaining(['json', 'parquet']));
    expect(loadedExtensionsProblem(loaded)).toBeUndefined();
    expect(loadedExtensionsProblem([...loaded, { name: 'httpfs', mode: 'INSTALLED' }])).toBe(
      'extensions loaded that are not built in: httpfs (INSTALLED)',
    );
    expect(loadedExtensionsProblem([{ name: 'json', mode: 'CUSTOM_PATH' }])).toMatch(/json \(CUSTOM_PATH\)/);
  });

  it('refuses a spill folder that others can read, or that does not exist', async () => {
    const open = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-spill-'));
    fs.chmodSync(open, 0o755);
    try {
      await expect(openSandbox({ spillDirectory: open })).rejects.toThrow(/must be private/);
      await expect(openSandbox({ spillDirectory: path.join(open, 'nope') })).rejects.toThrow(
        /does not exist/,
      );
    } finally {
      fs.rmSync(open, { recursive: true, force: true });
    }
  });
});
