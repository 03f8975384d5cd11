import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../test-support.js';
import { newKeyText, parseKey } from './key.js';
import { SecretsStore, type PostgresSettings } from './store.js';

const CANARY = 'CANARY_PW_changes_7c1';
const settings = (o: Partial<PostgresSettings> = {}): PostgresSettings => ({
  host: 'db.example',
  port: 5432,
  database: 'shop',
  user: 'reader',
  sslmode: 'verify-full',
  serverUsers: ['*'],
  ...o,
});

/** `tidyvault secrets …` changes secrets.json while the server runs: the audit log says so, by name only. */
describe('secrets changed outside the server are audited', () => {
  let home: string;
  let h: Harness;
  let cli: SecretsStore;
  const key = parseKey(newKeyText(), 'test key');
  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-secret-changes-'));
    cli = new SecretsStore(home, key);
    cli.setPostgres('pg.old', settings(), CANARY);
    h = await harness({ secrets: new SecretsStore(home, key) });
  });
  afterAll(async () => {
    await h.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  const changes = () =>
    h.t.audit
      .list({ limit: 1_000 })
      .filter((r) => r.action.startsWith('secret'))
      .sort((a, b) => a.seq - b.seq)
      .map((r) => [r.actor, r.action, r.target]);
  const anyRequest = () => h.t.app.inject({ method: 'GET', url: '/api/auth/mode' });

  it('names the connection added, changed or removed, and a key rotation, never a value', async () => {
    cli.setPostgres('pg.new', settings(), CANARY);
    cli.setPostgres('pg.old', settings({ serverUsers: ['alice'] }), CANARY);
    await anyRequest();
    cli.delete('pg.new');
    await anyRequest();
    cli.rotate(parseKey(newKeyText(), 'next key'));
    await anyRequest();
    await anyRequest();
    expect(changes()).toEqual([
      ['system', 'secret_add', 'pg.new'],
      ['system', 'secret_change', 'pg.old'],
      ['system', 'secret_remove', 'pg.new'],
      ['system', 'secrets_key_rotate', null],
    ]);
    const recorded = JSON.stringify(h.t.audit.list({ limit: 1_000 })) + h.logs();
    expect(recorded).not.toContain(CANARY);
    expect(recorded).not.toContain('db.example');
  });
});
