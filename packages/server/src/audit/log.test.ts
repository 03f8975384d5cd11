import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { canonical, GENESIS_HASH } from './chain.js';
import { AuditIntegrityError, AuditLog, openHomeAuditLog, verifyAuditFile, type AuditEvent } from './log.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-audit-'));
  dirs.push(dir);
  return path.join(dir, 'audit.db');
}

const event = (i: number): AuditEvent => ({
  actor: 'local',
  actorKind: 'user',
  action: i % 2 ? 'view' : 'step',
  target: '0123456789abcdef0123456789abcdef',
  result: 'ok',
  status: 200,
  route: 'GET /api/datasets/:id/rows',
});

function filled(n: number, key = randomBytes(32)): { file: string; key: Buffer } {
  const file = tempFile();
  const log = AuditLog.open(file, key);
  for (let i = 1; i <= n; i++) log.append(event(i));
  log.close();
  return { file, key };
}

/** The file opened as an attacker would: plain SQLite, triggers dropped. */
function tamper(file: string, sql: string): void {
  const db = new Database(file);
  db.exec(
    'DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_append_only;',
  );
  db.exec(sql);
  db.close();
}

describe('the audit log store', () => {
  let file: string;
  let key: Buffer;
  beforeEach(() => {
    ({ file, key } = filled(0));
  });

  it('numbers records from 1 and chains each to the one before with SHA-256 of its canonical form', () => {
    const log = AuditLog.open(file, key, { clock: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
    const a = log.append(event(1));
    const b = log.append({ actor: 'system', actorKind: 'system', action: 'expiry_purge', result: 'ok' });
    log.close();
    expect(a).toMatchObject({ seq: 1, time: '2026-01-02T03:04:05.000Z', prevHash: GENESIS_HASH });
    expect(b).toMatchObject({ seq: 2, prevHash: a.hash, target: null, status: null, route: null });
    for (const r of [a, b]) {
      const { hash, mac: _mac, ...rest } = r;
      expect(hash).toBe(createHash('sha256').update(canonical(rest)).digest('hex'));
    }
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT seq, hash, prev_hash FROM audit_log ORDER BY seq').all()).toEqual([
      { seq: 1, hash: a.hash, prev_hash: GENESIS_HASH },
      { seq: 2, hash: b.hash, prev_hash: a.hash },
    ]);
    db.close();
  });

  it('is private (0600, its -wal and -shm too), in WAL mode, with secure_delete', () => {
    const log = AuditLog.open(file, key);
    log.append(event(1));
    const files = fs.readdirSync(path.dirname(file));
    expect(files.sort()).toEqual(['audit.db', 'audit.db-shm', 'audit.db-wal']);
    for (const f of files) expect(fs.statSync(path.join(path.dirname(file), f)).mode & 0o777, f).toBe(0o600);
    const db = (log as unknown as { db: Database.Database }).db;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('secure_delete', { simple: true })).toBe(1);
    log.close();
    // A looser mode someone set is tightened at the next open.
    fs.chmodSync(file, 0o644);
    AuditLog.open(file, key).close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses UPDATE, DELETE, INSERT OR REPLACE and an insert out of turn in SQLite itself', () => {
    const log = AuditLog.open(file, key);
    for (let i = 1; i <= 3; i++) log.append(event(i));
    log.close();
    const db = new Database(file);
    expect(() => db.exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM audit_log WHERE seq = 3')).toThrow(/append-only/);
    expect(() => db.exec('INSERT OR REPLACE INTO audit_log SELECT * FROM audit_log WHERE seq = 2')).toThrow(
      /next record only/,
    );
    expect(() =>
      db.exec(
        'INSERT INTO audit_log SELECT 9, time, actor, actor_kind, action, target, owner, result, status, route, prev_hash, hash, mac, subject FROM audit_log WHERE seq = 3',
      ),
    ).toThrow(/next record only/);
    expect(() =>
      db.exec(
        "INSERT INTO audit_log SELECT 4, time, actor, actor_kind, action, target, owner, result, status, route, 'ff', hash, mac, subject FROM audit_log WHERE seq = 3",
      ),
    ).toThrow(/next record only/);
    expect(db.prepare('SELECT count(*) AS n FROM audit_log').get()).toEqual({ n: 3 });
    db.close();
    expect(verifyAuditFile(file, key)).toMatchObject({ ok: true, records: 3 });
  });

  it('detects an edited, a deleted and a swapped record, and a chain rewritten without the key', () => {
    const cases: [string, string, number, RegExp][] = [
      ['edit', "UPDATE audit_log SET actor = 'mallory' WHERE seq = 5", 5, /record 5 was edited/],
      ['delete', 'DELETE FROM audit_log WHERE seq = 5', 5, /record 5 is missing/],
      [
        'swap',
        'UPDATE audit_log SET seq = -1 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = -1;',
        3,
        /record 3 does not follow record 2/,
      ],
      ['cut the end', 'DELETE FROM audit_log WHERE seq >= 9', 9, /records 9 to 10 are missing/],
    ];
    for (const [name, sql, seq, problem] of cases) {
      const f = filled(10, key).file;
      expect(verifyAuditFile(f, key).ok, name).toBe(true);
      tamper(f, sql);
      const r = verifyAuditFile(f, key);
      expect(r, name).toMatchObject({ ok: false, firstBadSeq: seq });
      expect(r.problem, name).toMatch(problem);
      expect(() => AuditLog.open(f, key), name).toThrow(AuditIntegrityError);
    }
    // The attacker's best: edit record 5, then recompute every hash after it, without the key.
    const f = filled(10, key).file;
    rewriteChainFrom(f, 5, "actor = 'mallory'");
    const db = new Database(f, { readonly: true });
    expect(db.prepare('SELECT actor FROM audit_log WHERE seq = 5').get()).toEqual({ actor: 'mallory' });
    db.close();
    const r = verifyAuditFile(f, key);
    expect(r).toMatchObject({ ok: false, firstBadSeq: 5 });
    expect(r.problem).toMatch(/record 5 was rewritten by someone without the server's key/);
    // Without the key the rewritten chain looks whole: the MACs are what catch it.
    expect(r.records).toBe(4);
  });

  it('detects an edit to any stored field of a record, each field in turn', () => {
    // Every column but the ones that are the chain itself (seq, prev_hash, hash, mac), each set
    // to a value it could plausibly hold, and, where it may be null, to null.
    const edits: [column: string, value: string | number | null][] = [
      ['time', '2030-06-07T08:09:10.000Z'],
      ['actor', 'mallory'],
      ['actor_kind', 'anonymous'],
      ['action', 'delete'],
      ['target', 'fedcba9876543210fedcba9876543210'],
      ['target', null],
      ['owner', 'mallory'],
      ['owner', null],
      ['subject', 'mallory'],
      ['subject', null],
      ['result', 'denied'],
      ['status', 403],
      ['status', null],
      ['route', 'DELETE /api/datasets/:id'],
      ['route', null],
    ];
    // A column added later and left out here would be a field the chain might not cover.
    const probe = new Database(filled(1, key).file, { readonly: true });
    const columns = (probe.prepare('PRAGMA table_info(audit_log)').all() as { name: string }[]).map(
      (c) => c.name,
    );
    probe.close();
    expect(new Set(edits.map(([c]) => c))).toEqual(
      new Set(columns.filter((c) => !['seq', 'prev_hash', 'hash', 'mac'].includes(c))),
    );
    const full: AuditEvent = {
      actor: 'alice',
      actorKind: 'user',
      action: 'share',
      target: '0123456789abcdef0123456789abcdef',
      owner: 'carol',
      subject: 'bob',
      result: 'ok',
      status: 200,
      route: 'POST /api/datasets/:id/shares',
    };
    for (const [column, value] of edits) {
      const literal = value === null ? 'NULL' : typeof value === 'number' ? String(value) : `'${value}'`;
      const name = `${column} = ${literal}`;
      const f = tempFile();
      const log = AuditLog.open(f, key, { clock: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
      for (let i = 0; i < 3; i++) log.append(full);
      log.close();
      expect(verifyAuditFile(f, key).ok, name).toBe(true);
      tamper(f, `UPDATE audit_log SET ${name} WHERE seq = 2`);
      const db = new Database(f, { readonly: true });
      const row = db.prepare(`SELECT ${column} AS v FROM audit_log WHERE seq = 2`).get() as { v: unknown };
      db.close();
      expect(row.v, `${name} took`).toBe(value);
      const r = verifyAuditFile(f, key);
      expect(r, name).toMatchObject({ ok: false, firstBadSeq: 2, records: 1 });
      expect(r.problem, name).toBe('record 2 was edited (its hash does not match its content)');
      expect(() => AuditLog.open(f, key), name).toThrow(AuditIntegrityError);
    }
  });

  it('detects an anchor put back from earlier in the log (seq behind the last record)', () => {
    const f = tempFile();
    const log = AuditLog.open(f, key);
    for (let i = 1; i <= 5; i++) log.append(event(i));
    const db = (log as unknown as { db: Database.Database }).db;
    const old = db.prepare('SELECT seq, hash, mac FROM audit_anchor').get() as {
      seq: number;
      hash: string;
      mac: string;
    };
    for (let i = 6; i <= 10; i++) log.append(event(i));
    log.close();
    expect(old.seq).toBe(5);
    expect(verifyAuditFile(f, key)).toMatchObject({ ok: true, records: 10 });
    // The old anchor is genuine (its MAC is the server's): only its seq gives it away.
    tamper(f, `UPDATE audit_anchor SET seq = ${old.seq}, hash = '${old.hash}', mac = '${old.mac}'`);
    const r = verifyAuditFile(f, key);
    expect(r).toMatchObject({ ok: false, firstBadSeq: 6, records: 10 });
    expect(r.problem).toBe(
      'the anchor names record 5 but the log goes on to 10: the anchor was replaced by an older one',
    );
    expect(() => AuditLog.open(f, key)).toThrow(AuditIntegrityError);
  });

  it("detects a log swapped for another of the same length and key, under the first one's anchor", () => {
    // Two logs the same server key wrote, ten records each, that differ from record 1 on.
    const a = tempFile();
    const b = tempFile();
    const la = AuditLog.open(a, key);
    const lb = AuditLog.open(b, key);
    for (let i = 1; i <= 10; i++) {
      la.append(event(i));
      lb.append({ ...event(i), actor: 'mallory' });
    }
    la.close();
    lb.close();
    const read = (file: string) => {
      const db = new Database(file, { readonly: true });
      const anchor = db.prepare('SELECT seq, hash, mac FROM audit_anchor').get() as {
        seq: number;
        hash: string;
        mac: string;
      };
      db.close();
      return anchor;
    };
    const anchorA = read(a);
    expect(anchorA.seq).toBe(10);
    expect(read(b).hash).not.toBe(anchorA.hash);
    // b's records, a's anchor: every record's MAC and the anchor's MAC are the server's, and the
    // anchor's seq is the last record's. Only the anchor's hash shows the log is not a's.
    tamper(
      b,
      `UPDATE audit_anchor SET seq = ${anchorA.seq}, hash = '${anchorA.hash}', mac = '${anchorA.mac}'`,
    );
    const r = verifyAuditFile(b, key);
    expect(r).toMatchObject({ ok: false, firstBadSeq: 10, records: 10 });
    expect(r.problem).toBe('record 10 is not the record the anchor names (its hash differs)');
    expect(() => AuditLog.open(b, key)).toThrow(AuditIntegrityError);
  });

  it('refuses to open a log that does not verify, naming the record and how to keep it', () => {
    const home = path.dirname(filled(6, key).file);
    tamper(path.join(home, 'audit.db'), 'DELETE FROM audit_log WHERE seq = 2');
    expect(() => openHomeAuditLog(home, key)).toThrow(
      /audit\.db does not verify, so the server will not add to it: record 2 is missing \(deleted\)\. Keep the file as evidence/,
    );
    // A different key is a different server: its MACs do not match.
    const other = filled(3, key).file;
    expect(() => AuditLog.open(other, randomBytes(32))).toThrow(/record 1 was rewritten/);
  });

  it('puts back dropped triggers when the records still verify, and says so', () => {
    const f = filled(3, key).file;
    tamper(f, 'SELECT 1');
    expect(verifyAuditFile(f, key)).toMatchObject({
      ok: true,
      missingTriggers: ['audit_log_no_update', 'audit_log_no_delete', 'audit_log_append_only'],
    });
    const log = AuditLog.open(f, key);
    expect(log.triggersRestored).toHaveLength(3);
    log.close();
    expect(verifyAuditFile(f, key).missingTriggers).toEqual([]);
    const fresh = AuditLog.open(tempFile(), key);
    expect(fresh.triggersRestored).toEqual([]);
    fresh.close();
  });

  it("takes records another server process appended with the key, and not a forger's", () => {
    const a = AuditLog.open(file, key);
    const b = AuditLog.open(file, key);
    a.append(event(1));
    b.append(event(2));
    const third = a.append(event(3));
    expect(third.seq).toBe(3);
    expect(a.verify()).toMatchObject({ ok: true, records: 3 });
    b.close();
    // A forger appends a record whose hash chains but whose MAC cannot be right.
    const db = new Database(file);
    const last = db.prepare('SELECT * FROM audit_log WHERE seq = 3').get() as Record<string, unknown>;
    const forged = {
      seq: 4,
      time: last.time as string,
      actor: 'mallory',
      actorKind: 'user' as const,
      action: 'view',
      target: null,
      owner: null,
      result: 'ok' as const,
      status: 200,
      route: null,
      prevHash: last.hash as string,
    };
    const hash = createHash('sha256').update(canonical(forged)).digest('hex');
    db.prepare(
      `INSERT INTO audit_log VALUES (4, @time, @actor, @actorKind, @action, NULL, NULL, @result, @status, NULL, @prevHash, @hash, @hash, NULL)`,
    ).run({ ...forged, hash });
    db.close();
    expect(() => a.append(event(5))).toThrow(/record 4 was rewritten by someone without the server's key/);
    a.close();
  });

  it('lists newest first, one user or everyone, before a seq', () => {
    const log = AuditLog.memory(key);
    log.append({ actor: 'alice', actorKind: 'user', action: 'upload', result: 'ok' });
    log.append({ actor: 'bob', actorKind: 'user', action: 'upload', result: 'ok' });
    log.append({
      actor: 'system',
      actorKind: 'system',
      action: 'expiry_purge',
      owner: 'alice',
      result: 'ok',
    });
    log.append({ actor: 'alice', actorKind: 'user', action: 'view', result: 'ok' });
    // A user called "system" is not the server.
    log.append({ actor: 'system', actorKind: 'user', action: 'view', result: 'ok' });
    expect(log.list({ user: 'alice', limit: 10 }).map((r) => r.seq)).toEqual([4, 3, 1]);
    expect(log.list({ user: 'alice', limit: 2 }).map((r) => r.seq)).toEqual([4, 3]);
    expect(log.list({ user: 'alice', before: 3, limit: 2 }).map((r) => r.seq)).toEqual([1]);
    expect(log.list({ user: 'system', limit: 10 }).map((r) => r.seq)).toEqual([5]);
    expect(log.list({ limit: 10 }).map((r) => r.seq)).toEqual([5, 4, 3, 2, 1]);
    log.close();
  });

  // How long it takes is for bench/, not a unit test on a shared machine.
  it('verifies a chain of 10,000 records', () => {
    const log = AuditLog.open(file, key);
    const db = (log as unknown as { db: Database.Database }).db;
    db.transaction(() => {
      for (let i = 1; i <= 10_000; i++) log.append(event(i));
    })();
    log.close();
    expect(verifyAuditFile(file, key)).toMatchObject({ ok: true, records: 10_000 });
  });
});

/**
 * What an attacker without the key can do: change a record, then recompute the hash and
 * prev_hash of it and every later record (and the anchor's hash), so the chain is consistent.
 */
function rewriteChainFrom(file: string, seq: number, set: string): void {
  tamper(file, `UPDATE audit_log SET ${set} WHERE seq = ${seq}`);
  const db = new Database(file);
  const rows = db.prepare('SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq').all(seq) as Record<
    string,
    never
  >[];
  let prev = (
    db.prepare('SELECT hash FROM audit_log WHERE seq = ?').get(seq - 1) as { hash: string } | undefined
  )?.hash;
  const update = db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?');
  for (const r of rows) {
    const base = {
      seq: r.seq,
      time: r.time,
      actor: r.actor,
      actorKind: r.actor_kind,
      action: r.action,
      target: r.target,
      owner: r.owner,
      result: r.result,
      status: r.status,
      route: r.route,
      prevHash: prev ?? GENESIS_HASH,
    };
    const hash = createHash('sha256').update(canonical(base)).digest('hex');
    update.run(base.prevHash, hash, r.seq);
    prev = hash;
  }
  db.prepare('UPDATE audit_anchor SET hash = ?').run(prev);
  db.close();
}
