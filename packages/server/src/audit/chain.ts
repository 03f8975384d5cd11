import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * The audit log's tamper evidence, independent of SQLite:
 * - `hash` = SHA-256 of a canonical serialisation of the record, `prev_hash` included, so each
 *   record commits to every record before it;
 * - `mac` = HMAC-SHA-256(audit key, hash) on every record, and the anchor = HMAC over the last
 *   record's seq and hash. The audit key is derived from the server's secret key
 *   ($TIDYVAULT_HOME/server.key), so someone who rewrites the chain consistently but lacks that
 *   key cannot make the MACs match.
 */

/** One record as stored. `seq` counts from 1 with no gaps. */
export interface AuditRecord {
  seq: number;
  /** ISO 8601, UTC. */
  time: string;
  /** A user name, 'anonymous' or 'system' (see actorKind). */
  actor: string;
  actorKind: ActorKind;
  action: string;
  /** A dataset id, a user name, or null. */
  target: string | null;
  /** Whose dataset the event concerns when that is not the actor (a system purge), else null. */
  owner: string | null;
  /**
   * The other user an event concerns: the one a dataset was shared with or revoked from. Records
   * written before this field existed have none (undefined and null serialise alike: see canonical).
   */
  subject?: string | null;
  result: AuditResult;
  /** The HTTP status, or null for events that are not a request (purges, start, stop). */
  status: number | null;
  /** `METHOD /route/:pattern` of the request, or null. */
  route: string | null;
  prevHash: string;
  hash: string;
  mac: string;
}

export type ActorKind = 'user' | 'anonymous' | 'system';
export type AuditResult = 'ok' | 'denied' | 'error';

/** What the first record chains from. */
export const GENESIS_HASH = '0'.repeat(64);

const FORMAT = 'tidyvault-audit/1';

/**
 * Canonical serialisation: a JSON array in a fixed order (strings, integers and nulls only, so
 * JSON.stringify is deterministic). Every stored column but `hash` and `mac` is in it.
 */
export function canonical(r: Omit<AuditRecord, 'hash' | 'mac'>): string {
  return JSON.stringify([
    FORMAT,
    r.seq,
    r.time,
    r.actor,
    r.actorKind,
    r.action,
    r.target,
    r.owner,
    r.result,
    r.status,
    r.route,
    r.prevHash,
    // Only when set, so every record written before the field existed hashes as it did.
    ...(r.subject != null ? [r.subject] : []),
  ]);
}

export const recordHash = (r: Omit<AuditRecord, 'hash' | 'mac'>): string =>
  createHash('sha256').update(canonical(r)).digest('hex');

/** The audit key: HKDF-SHA-256 of the server's secret key, for this purpose only. */
export function auditKey(secretKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'tidyvault audit log mac v1', 32));
}

export const recordMac = (key: Buffer, hash: string): string =>
  createHmac('sha256', key).update(`record:${hash}`).digest('hex');

export const anchorMac = (key: Buffer, seq: number, hash: string): string =>
  createHmac('sha256', key).update(`anchor:${seq}:${hash}`).digest('hex');

export function sameHex(a: unknown, b: unknown): boolean {
  // A tampered file can hold any type in any column.
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface VerifyResult {
  ok: boolean;
  /** Records checked (all of them when ok). */
  records: number;
  /** The last record's seq and hash (of the intact prefix when not ok). */
  lastSeq: number;
  lastHash: string;
  /** The first record that is edited, missing, out of place or unauthenticated. */
  firstBadSeq?: number;
  /** Why, in words that name the record. */
  problem?: string;
}

export interface Anchor {
  seq: number;
  hash: string;
  mac: string;
}

/**
 * Walks records in seq order (any iterable, so a big log is streamed) and checks, for each:
 * its seq follows the previous one (else the missing one was deleted), its prev_hash is the
 * previous record's hash (else records were reordered or removed), its hash matches its content
 * (else it was edited) and its MAC matches (else the chain was rewritten without the key). Then
 * the anchor must name the last record (else records were cut off the end or appended without
 * the key). `key` undefined checks the chain only.
 */
export function verifyRecords(
  rows: Iterable<AuditRecord>,
  anchor: Anchor | undefined,
  key: Buffer | undefined,
  /** Check only records after this one (known good), e.g. what another process appended. */
  from: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH },
): VerifyResult {
  let expected = from.seq + 1;
  let prev = from.hash;
  const bad = (seq: number, problem: string): VerifyResult => ({
    ok: false,
    records: expected - 1,
    lastSeq: expected - 1,
    lastHash: prev,
    firstBadSeq: seq,
    problem,
  });
  for (const r of rows) {
    if (r.seq !== expected) {
      return r.seq > expected
        ? bad(
            expected,
            r.seq === expected + 1
              ? `record ${expected} is missing (deleted)`
              : `records ${expected} to ${r.seq - 1} are missing (deleted)`,
          )
        : bad(r.seq, `record ${r.seq} is out of order`);
    }
    if (!sameHex(r.prevHash, prev)) {
      return bad(
        r.seq,
        `record ${r.seq} does not follow record ${r.seq - 1} (its prev_hash differs): records were reordered, removed or inserted`,
      );
    }
    if (!sameHex(recordHash(r), r.hash)) {
      return bad(r.seq, `record ${r.seq} was edited (its hash does not match its content)`);
    }
    if (key && !sameHex(recordMac(key, r.hash), r.mac)) {
      return bad(
        r.seq,
        `record ${r.seq} was rewritten by someone without the server's key (its MAC does not match)`,
      );
    }
    prev = r.hash;
    expected++;
  }
  const last = expected - 1;
  const intact: VerifyResult = { ok: true, records: last, lastSeq: last, lastHash: prev };
  if (!key) return intact;
  if (!anchor) {
    return last === 0
      ? intact
      : {
          ...intact,
          ok: false,
          problem: `the anchor is missing: records 1 to ${last} cannot be shown to be the whole log`,
        };
  }
  const anchorValid = sameHex(anchorMac(key, anchor.seq, anchor.hash), anchor.mac);
  if (!anchorValid) {
    return {
      ...intact,
      ok: false,
      firstBadSeq: anchor.seq,
      problem: `the anchor (record ${anchor.seq}) does not match the server's key: it was forged, or the key changed`,
    };
  }
  if (anchor.seq > last) {
    return {
      ...intact,
      ok: false,
      firstBadSeq: last + 1,
      problem:
        last + 1 === anchor.seq
          ? `record ${anchor.seq} is missing (deleted from the end; the anchor names it)`
          : `records ${last + 1} to ${anchor.seq} are missing (deleted from the end; the anchor names ${anchor.seq})`,
    };
  }
  if (anchor.seq < last) {
    return {
      ...intact,
      ok: false,
      firstBadSeq: anchor.seq + 1,
      problem: `the anchor names record ${anchor.seq} but the log goes on to ${last}: the anchor was replaced by an older one`,
    };
  }
  if (!sameHex(anchor.hash, prev)) {
    return {
      ...intact,
      ok: false,
      firstBadSeq: last,
      problem: `record ${last} is not the record the anchor names (its hash differs)`,
    };
  }
  return intact;
}
