import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '@tidyvault/server/audit';
import { loadSecrets } from '@tidyvault/server';
import { CLI, tidyvault, workdir } from './run-cli.js';

/** A server home with an audit log of `n` records, written by the server's own code. */
function homeWithLog(n: number): string {
  const home = path.join(workdir(), 'home');
  const { secretKey } = loadSecrets(home);
  const log = AuditLog.open(path.join(home, 'audit.db'), secretKey);
  for (let i = 1; i <= n; i++) {
    log.append({
      actor: i % 3 ? 'local' : 'anonymous',
      actorKind: i % 3 ? 'user' : 'anonymous',
      action: ['login', 'upload', 'view', 'step', 'export'][i % 5]!,
      target: i % 5 ? createHash('md5').update(String(i)).digest('hex') : null,
      result: i % 3 ? 'ok' : 'denied',
      status: i % 3 ? 200 : 404,
      route: 'GET /api/datasets/:id/rows',
    });
  }
  log.close();
  return home;
}

/** Opened the way an attacker with the file would: plain SQLite, the append-only triggers dropped. */
function byHand(home: string, edit: (db: Database.Database) => void): void {
  const db = new Database(path.join(home, 'audit.db'));
  for (const t of ['audit_log_no_update', 'audit_log_no_delete', 'audit_log_append_only'])
    db.exec(`DROP TRIGGER ${t}`);
  edit(db);
  db.close();
}

type Row = Record<string, string | number | null>;

/** The record's canonical form, as the attacker can read it in the open source code. */
const canonicalHash = (r: Row, prevHash: string) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        'tidyvault-audit/1',
        r.seq,
        r.time,
        r.actor,
        r.actor_kind,
        r.action,
        r.target,
        r.owner,
        r.result,
        r.status,
        r.route,
        prevHash,
      ]),
    )
    .digest('hex');

const verify = (home: string) => tidyvault(['audit', 'verify', '--home', home]);

describe('tidyvault audit verify', () => {
  it('exits 0 with the count and last hash when the log is intact, also from $TIDYVAULT_HOME', () => {
    const home = homeWithLog(12);
    const db = new Database(path.join(home, 'audit.db'), { readonly: true });
    const last = db.prepare('SELECT hash FROM audit_log WHERE seq = 12').get() as { hash: string };
    db.close();
    const r = verify(home);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${path.join(home, 'audit.db')}: intact, 12 records; last hash ${last.hash}\n`);
    expect(tidyvault(['audit', 'verify'], { env: { TIDYVAULT_HOME: home } }).code).toBe(0);
  });

  it.each([
    [
      'an edited record',
      (db: Database.Database) => db.exec("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 7"),
      7,
      /record 7 was edited/,
    ],
    [
      'an edited result',
      (db: Database.Database) => db.exec("UPDATE audit_log SET result = 'ok', status = 200 WHERE seq = 3"),
      3,
      /record 3 was edited/,
    ],
    [
      'a deleted record',
      (db: Database.Database) => db.exec('DELETE FROM audit_log WHERE seq = 5'),
      5,
      /record 5 is missing/,
    ],
    [
      'the newest record deleted',
      (db: Database.Database) => db.exec('DELETE FROM audit_log WHERE seq = 12'),
      12,
      /record 12 is missing \(deleted from the end/,
    ],
    [
      'two records swapped',
      (db: Database.Database) =>
        db.exec(
          'UPDATE audit_log SET seq = -4 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 8; UPDATE audit_log SET seq = 8 WHERE seq = -4;',
        ),
      4,
      /record 4 does not follow record 3/,
    ],
    [
      'the whole chain rewritten consistently, without the key',
      (db: Database.Database) => {
        db.exec("UPDATE audit_log SET action = 'view', target = NULL WHERE seq = 6");
        let prev = (db.prepare('SELECT hash FROM audit_log WHERE seq = 5').get() as { hash: string }).hash;
        for (const r of db.prepare('SELECT * FROM audit_log WHERE seq >= 6 ORDER BY seq').all() as Row[]) {
          const hash = canonicalHash(r, prev);
          db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, r.seq);
          prev = hash;
        }
        db.prepare('UPDATE audit_anchor SET hash = ?').run(prev);
      },
      6,
      /record 6 was rewritten by someone without the server's key/,
    ],
    [
      'every record and the anchor deleted',
      (db: Database.Database) => db.exec('DELETE FROM audit_log; DELETE FROM audit_anchor'),
      1,
      /record 1 is missing: the log holds no record at all.* it was emptied/,
    ],
    [
      'a forged anchor',
      (db: Database.Database) =>
        db.exec(
          "UPDATE audit_anchor SET mac = (CASE WHEN substr(mac, 1, 1) = '0' THEN '1' ELSE '0' END) || substr(mac, 2)",
        ),
      12,
      /the anchor \(record 12\) does not match the server's key/,
    ],
  ])('exits 1 naming the record: %s', (_name, edit, seq, problem) => {
    const home = homeWithLog(12);
    expect(verify(home).code).toBe(0);
    byHand(home, edit);
    const r = verify(home);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(problem);
    expect(r.stderr).toContain(`first bad record: ${seq}\n`);
    expect(r.stderr).toMatch(/warning: the append-only triggers .* are missing/);
  });

  it("fails every record from the first under another server's key", () => {
    const home = homeWithLog(4);
    const other = homeWithLog(4);
    // The same records under another server's key: every MAC is wrong from record 1.
    fs.copyFileSync(path.join(other, 'server.key'), path.join(home, 'server.key'));
    const r = verify(home);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('first bad record: 1\n');
  });

  it('says so when there is no log or no key, and refuses stray arguments', () => {
    const empty = workdir();
    const none = verify(empty);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/audit\.db does not exist/);
    const home = homeWithLog(1);
    fs.rmSync(path.join(home, 'server.key'));
    const nokey = verify(home);
    expect(nokey.code).toBe(1);
    expect(nokey.stderr).toMatch(/server\.key does not exist/);
    expect(tidyvault(['audit']).code).toBe(2);
    expect(tidyvault(['audit', 'check']).stderr).toMatch(/unknown subcommand "check"/);
    expect(tidyvault(['audit', 'verify', 'x']).code).toBe(2);
    const help = tidyvault(['audit', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: tidyvault audit verify/);
    expect(tidyvault(['--help']).stdout).toMatch(/audit verify \[--home <dir>\]/);
  });

  it('verifies what a real server wrote, and the server refuses to start on a log that does not verify', async () => {
    const home = path.join(workdir(), 'home');
    const start = () =>
      spawn(process.execPath, [CLI, 'serve', '--port', '0', '--memory-limit', '256MB', '--threads', '1'], {
        env: { ...process.env, TIDYVAULT_HOME: home },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const child = start();
    let out = '';
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    const link = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c) => {
        out += c;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/auth\/token\?token=[\w-]+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(303);
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(401);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const f of fs.readdirSync(home).filter((f) => f.startsWith('audit.db')))
      expect(fs.statSync(path.join(home, f)).mode & 0o777, f).toBe(0o600);

    const ok = verify(home);
    expect(ok.code, ok.stderr).toBe(0);
    // server_start, login, login_failed, server_stop.
    expect(ok.stdout).toMatch(/intact, 4 records; last hash [0-9a-f]{64}\n$/);
    // The head the server logged at stop is the one verify prints: a copy outside the database.
    const head = err
      .split('\n')
      .filter((l) => l.includes('"op":"audit.head"'))
      .map((l) => JSON.parse(l) as { seq: number; hash: string })
      .at(-1)!;
    expect(head.seq).toBe(4);
    expect(ok.stdout).toContain(head.hash);

    byHand(home, (db) => db.exec("UPDATE audit_log SET result = 'ok', status = 303 WHERE seq = 3"));
    const refused = tidyvault(['serve', '--port', '0', '--memory-limit', '256MB', '--threads', '1'], {
      env: { TIDYVAULT_HOME: home },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /audit\.db does not verify, so the server will not add to it: record 3 was edited/,
    );
  });
});
