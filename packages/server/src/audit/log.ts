import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  anchorMac,
  auditKey,
  GENESIS_HASH,
  recordHash,
  recordMac,
  verifyRecords,
  type ActorKind,
  type Anchor,
  type AuditRecord,
  type AuditResult,
  type VerifyResult,
} from './chain.js';

/** The audit log's file in $TIDYVAULT_HOME. */
export const AUDIT_FILE = 'audit.db';

/** What a caller records; seq, time and the hashes are the log's. */
export interface AuditEvent {
  actor: string;
  actorKind: ActorKind;
  action: string;
  target?: string | null;
  owner?: string | null;
  /** The other user the event concerns (shared with, revoked from). */
  subject?: string | null;
  result: AuditResult;
  status?: number | null;
  route?: string | null;
}

/** The log does not verify: it was edited, or the key changed. Names the first bad record. */
export class AuditIntegrityError extends Error {
  constructor(
    readonly file: string,
    readonly result: VerifyResult,
  ) {
    super(`${file}: ${result.problem ?? 'does not verify'}`);
    this.name = 'AuditIntegrityError';
  }
}

const SCHEMA_VERSION = 1;
/** How long an appended record may wait before it is synced to the disk. */
export const SYNC_MS = 1_000;

/**
 * Append-only in SQLite itself: UPDATE and DELETE abort, and an INSERT must take the next seq
 * and chain from the last record's hash (so INSERT OR REPLACE cannot overwrite a record either).
 * Someone with the file can drop these; the hash chain and MACs are what detect that.
 */
const TRIGGERS: Record<string, string> = {
  audit_log_no_update: `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`,
  audit_log_no_delete: `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`,
  audit_log_append_only: `CREATE TRIGGER audit_log_append_only BEFORE INSERT ON audit_log
    WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM audit_log)
      OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM audit_log WHERE seq = NEW.seq - 1), '${GENESIS_HASH}')
    BEGIN SELECT RAISE(ABORT, 'audit_log takes the next record only'); END`,
};

const TABLES = `
CREATE TABLE IF NOT EXISTS audit_log (
  seq INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'anonymous', 'system')),
  action TEXT NOT NULL,
  target TEXT,
  owner TEXT,
  result TEXT NOT NULL CHECK (result IN ('ok', 'denied', 'error')),
  status INTEGER,
  route TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  mac TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS audit_log_by_actor ON audit_log (actor_kind, actor, seq);
CREATE INDEX IF NOT EXISTS audit_log_by_owner ON audit_log (owner, seq);
CREATE TABLE IF NOT EXISTS audit_anchor (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  mac TEXT NOT NULL
) STRICT;
`;

interface Row {
  seq: number;
  time: string;
  actor: string;
  actor_kind: ActorKind;
  action: string;
  target: string | null;
  owner: string | null;
  result: AuditResult;
  status: number | null;
  route: string | null;
  subject: string | null;
  prev_hash: string;
  hash: string;
  mac: string;
}

const fromRow = (r: Row): AuditRecord => ({
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
  ...(r.subject != null ? { subject: r.subject } : {}),
  prevHash: r.prev_hash,
  hash: r.hash,
  mac: r.mac,
});

function* records(db: Database.Database, after = 0): Generator<AuditRecord> {
  for (const r of db.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq').iterate(after))
    yield fromRow(r as Row);
}

/**
 * `subject` came after the first logs were written: an older log gets the column (empty on its
 * records, which hash without it; see chain.ts canonical). Adding a column rewrites no record.
 */
function addSubjectColumn(db: Database.Database): void {
  const columns = db.prepare('PRAGMA table_info(audit_log)').all() as { name: string }[];
  if (!columns.some((c) => c.name === 'subject')) db.exec('ALTER TABLE audit_log ADD COLUMN subject TEXT');
  db.exec('CREATE INDEX IF NOT EXISTS audit_log_by_subject ON audit_log (subject, seq)');
}

const readAnchor = (db: Database.Database): Anchor | undefined =>
  db.prepare('SELECT seq, hash, mac FROM audit_anchor WHERE id = 1').get() as Anchor | undefined;

const missingTriggers = (db: Database.Database): string[] => {
  const have = new Set(
    (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'").all() as { name: string }[]).map(
      (t) => t.name,
    ),
  );
  return Object.keys(TRIGGERS).filter((t) => !have.has(t));
};

/**
 * Only the server's user may read or write the log: created 0600 (SQLite gives its -wal and
 * -shm files the same mode), a looser mode is tightened, and a symlink or another user's file
 * is refused.
 */
function preparePrivateFile(file: string): void {
  try {
    fs.writeFileSync(file, '', { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const st = fs.lstatSync(file);
  if (!st.isFile()) throw new Error(`${file} is not a regular file; refusing to keep the audit log there`);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid())
    throw new Error(`${file} belongs to another user; refusing to keep the audit log there`);
  if ((st.mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
}

export interface AuditLogOptions {
  /** Milliseconds since the epoch (default Date.now). */
  clock?: () => number;
}

/**
 * The audit log: an append-only, hash-chained SQLite table (see chain.ts for the chain and the
 * MACs). Opening verifies the whole log and refuses one that does not verify, so the server
 * never chains new records onto a forged history. Each append runs in one IMMEDIATE transaction
 * that also moves the anchor; records another process appended meanwhile are verified (their
 * MACs need the key) before this one chains onto them.
 */
export class AuditLog {
  private head: { seq: number; hash: string };
  private readonly key: Buffer;
  private readonly clock: () => number;
  private readonly appendTx: (e: AuditEvent) => AuditRecord;
  private syncTimer: NodeJS.Timeout | undefined;
  private unsynced = false;
  /** Triggers that were missing when the log was opened (and were put back): a sign of tampering. */
  readonly triggersRestored: string[];

  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
    secretKey: Buffer,
    o: AuditLogOptions,
  ) {
    this.key = auditKey(secretKey);
    this.clock = o.clock ?? Date.now;
    const fresh = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'audit_log'").get() === undefined;
    db.exec(TABLES);
    addSubjectColumn(db);
    const missing = missingTriggers(db);
    for (const t of missing) db.exec(TRIGGERS[t]!);
    this.triggersRestored = fresh ? [] : missing;
    db.pragma(`user_version = ${SCHEMA_VERSION}`);

    const v = this.verify();
    if (!v.ok) throw new AuditIntegrityError(file, v);
    this.head = { seq: v.lastSeq, hash: v.lastHash };

    const last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    const insert = db.prepare(
      `INSERT INTO audit_log (seq, time, actor, actor_kind, action, target, owner, result, status, route, subject, prev_hash, hash, mac)
       VALUES (@seq, @time, @actor, @actorKind, @action, @target, @owner, @result, @status, @route, @subject, @prevHash, @hash, @mac)`,
    );
    const anchor = db.prepare(
      'INSERT INTO audit_anchor (id, seq, hash, mac) VALUES (1, @seq, @hash, @mac) ' +
        'ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, mac = excluded.mac',
    );
    const tx = db.transaction((e: AuditEvent): AuditRecord => {
      const now = (last.get() as { seq: number; hash: string } | undefined) ?? { seq: 0, hash: GENESIS_HASH };
      if (now.seq !== this.head.seq || now.hash !== this.head.hash) this.adopt();
      const base = {
        seq: this.head.seq + 1,
        time: new Date(this.clock()).toISOString(),
        actor: e.actor,
        actorKind: e.actorKind,
        action: e.action,
        target: e.target ?? null,
        owner: e.owner ?? null,
        result: e.result,
        status: e.status ?? null,
        route: e.route ?? null,
        ...(e.subject != null ? { subject: e.subject } : {}),
        prevHash: this.head.hash,
      };
      const hash = recordHash(base);
      const record: AuditRecord = { ...base, hash, mac: recordMac(this.key, hash) };
      insert.run({ subject: null, ...record });
      anchor.run({ seq: record.seq, hash, mac: anchorMac(this.key, record.seq, hash) });
      return record;
    });
    this.appendTx = (e) => tx.immediate(e);
  }

  /** The log in `file` (made 0600 if new), verified; throws AuditIntegrityError if it does not verify. */
  static open(file: string, secretKey: Buffer, o: AuditLogOptions = {}): AuditLog {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    preparePrivateFile(file);
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      // A commit is not synced to the disk (synced it costs ~3.5 ms of blocked event loop per
      // request here): a killed server loses nothing, a power cut can lose what was appended
      // since the last checkpoint, which the log makes at most SYNC_MS after an append.
      db.pragma('synchronous = NORMAL');
      db.pragma('secure_delete = ON');
      db.pragma('trusted_schema = OFF');
      const log = new AuditLog(db, file, secretKey, o);
      log.syncTimer = setInterval(() => log.sync(), SYNC_MS);
      log.syncTimer.unref();
      return log;
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** A log in memory only (tests, and an app built without a data folder). */
  static memory(secretKey: Buffer, o: AuditLogOptions = {}): AuditLog {
    return new AuditLog(new Database(':memory:'), ':memory:', secretKey, o);
  }

  /** Append one record; throws when it cannot be written (the caller decides what that means). */
  append(e: AuditEvent): AuditRecord {
    const r = this.appendTx(e);
    this.head = { seq: r.seq, hash: r.hash };
    this.unsynced = true;
    return r;
  }

  /** Sync what was appended to the disk (a checkpoint syncs the WAL first). */
  sync(): void {
    if (!this.unsynced || !this.db.open || this.file === ':memory:') return;
    this.unsynced = false;
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // The next append reports a broken disk; a busy reader only delays the checkpoint.
      this.unsynced = true;
    }
  }

  /** Records another writer appended since our head: accepted only if they verify with the key. */
  private adopt(): void {
    const v = verifyRecords(records(this.db, this.head.seq), readAnchor(this.db), this.key, this.head);
    if (!v.ok) throw new AuditIntegrityError(this.file, v);
    this.head = { seq: v.lastSeq, hash: v.lastHash };
  }

  /** The whole log checked: chain, MACs and anchor. */
  verify(): VerifyResult {
    return this.db.transaction(() => verifyRecords(records(this.db), readAnchor(this.db), this.key))();
  }

  /** The last record's seq and hash, as this process last wrote or verified them. */
  get last(): { seq: number; hash: string } {
    return { ...this.head };
  }

  /**
   * Newest first, seq < `before`. `user`: only that user's own actions, events about their
   * datasets (a system purge, someone they shared it with using it, a refused attempt on it) and
   * shares granted to or revoked from them; undefined: everyone's (for administrators, in multi-user mode).
   */
  list(q: { user?: string; before?: number; limit: number }): AuditRecord[] {
    const before = q.before ?? Number.MAX_SAFE_INTEGER;
    const rows =
      q.user === undefined
        ? this.db
            .prepare('SELECT * FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?')
            .all(before, q.limit)
        : this.db
            .prepare(
              `SELECT * FROM audit_log WHERE seq IN (
                 SELECT seq FROM (SELECT seq FROM audit_log
                   WHERE actor_kind = 'user' AND actor = @user AND seq < @before ORDER BY seq DESC LIMIT @limit)
                 UNION ALL
                 SELECT seq FROM (SELECT seq FROM audit_log
                   WHERE owner = @user AND seq < @before ORDER BY seq DESC LIMIT @limit)
                 UNION ALL
                 SELECT seq FROM (SELECT seq FROM audit_log
                   WHERE subject = @user AND seq < @before ORDER BY seq DESC LIMIT @limit)
               ) ORDER BY seq DESC LIMIT @limit`,
            )
            .all({ user: q.user, before, limit: q.limit });
    return (rows as Row[]).map(fromRow);
  }

  close(): void {
    clearInterval(this.syncTimer);
    // Closing the last connection checkpoints (and syncs) the WAL.
    if (this.db.open) this.db.close();
  }

  get open(): boolean {
    return this.db.open;
  }
}

/**
 * `tidyvault serve`'s log, `$TIDYVAULT_HOME/audit.db`. One that does not verify stops the
 * start: chaining new records onto it would hide what was done to it.
 */
export function openHomeAuditLog(home: string, secretKey: Buffer): AuditLog {
  const file = path.join(home, AUDIT_FILE);
  try {
    return AuditLog.open(file, secretKey);
  } catch (e) {
    if (!(e instanceof AuditIntegrityError)) throw e;
    const err = new AuditIntegrityError(file, e.result);
    err.message =
      `the audit log ${file} does not verify, so the server will not add to it: ${e.result.problem}. ` +
      `Keep the file as evidence ('tidyvault audit verify' checks it again); to start a new log, ` +
      `move it and its -wal and -shm files aside.`;
    throw err;
  }
}

export interface FileVerifyResult extends VerifyResult {
  file: string;
  /** Append-only triggers that are missing from the file (someone dropped them). */
  missingTriggers: string[];
}

/**
 * `tidyvault audit verify`: checks the log in `file` read-only, in one read transaction (a
 * running server may keep appending), with the key derived from `secretKey`.
 */
export function verifyAuditFile(file: string, secretKey: Buffer): FileVerifyResult {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const hasTable = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'audit_log'").get() !== undefined;
    if (!hasTable) throw new Error(`${file} holds no audit log`);
    const key = auditKey(secretKey);
    const r = db.transaction(() => ({
      file,
      missingTriggers: missingTriggers(db),
      ...verifyRecords(records(db), readAnchor(db), key),
    }))();
    // A server records its start before anything else: a log with no record at all was emptied.
    if (r.ok && r.records === 0)
      return {
        ...r,
        ok: false,
        firstBadSeq: 1,
        problem:
          'record 1 is missing: the log holds no record at all, not even the start that every server records first — it was emptied',
      };
    return r;
  } finally {
    db.close();
  }
}
