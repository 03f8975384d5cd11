import { randomBytes } from 'node:crypto';
import { ProfileMemo, type History, type LoadedDataset } from '@tidyvault/core';
import type { NodeEngine } from '@tidyvault/engine-node';
import type { Role } from '../auth/accounts.js';
import type { Clock } from '../options.js';
import {
  accessOf,
  BREAK_GLASS_MS,
  decide,
  type DatasetAccess,
  type DatasetAction,
  type Share,
  type ShareRole,
} from './acl.js';
import { RowCounts } from './count.js';
import { PreparedExports } from './prepared-exports.js';
import type { EngineMemory } from './memory.js';
import { RecipeStates } from './states.js';

export interface Access {
  at: number;
  op: string;
  user: string;
}

/** One uploaded dataset: the source table in DuckDB plus its recipe history. */
export interface DatasetEntry {
  readonly id: string;
  readonly owner: string;
  readonly name: string;
  readonly data: LoadedDataset;
  history: History;
  readonly createdAt: number;
  lastAccessAt: number;
  /** Bytes of the uploaded file. */
  readonly sourceBytes: number;
  /** Bytes the source table takes in the engine (measured when it was made). */
  readonly tableBytes: number;
  /** Materialised results of the recipe and its prefixes. */
  readonly states: RecipeStates;
  readonly accesses: Access[];
  /** Changes to `history` run one at a time (see DatasetStore.change). */
  queue: Promise<unknown>;
  readonly counts: RowCounts;
  /** Profiles of the recipe's states (a step reprofiles only the columns it changed). */
  readonly profiles: ProfileMemo;
  /** Who else may use it, and how (see acl.ts); they go with the entry when it is purged. */
  readonly shares: Map<string, Share>;
  /** Exports built and waiting for their one download; deleted with the entry. */
  readonly exports: PreparedExports;
}

/** What `open` found: the entry and the caller's standing, or why not (see acl.ts `decide`). */
export type Opened =
  | { kind: 'ok'; entry: DatasetEntry; access: DatasetAccess }
  | { kind: 'forbidden'; access: DatasetAccess; owner: string }
  /** `owner`: whose dataset the refused attempt was on (for the audit log only), if it exists. */
  | { kind: 'none'; owner?: string };

const RECENT_ACCESSES = 20;

export interface StoreOptions {
  engine: NodeEngine;
  clock: Clock;
  idleMs: number;
  absoluteMs: number;
  memory: EngineMemory;
  /** Engine bytes all datasets may hold together, materialised states included. */
  maxResidentBytes: number;
  /** false: never materialise (every read runs the whole recipe). */
  cacheRecipeStates?: boolean;
  /** How long a prepared export waits for its download (see PreparedExports). */
  exportHoldMs?: number;
  onMaterialiseFailure?: (id: string, e: unknown) => void;
  onMaterialise?: (id: string, info: { steps: number; fromSteps: number; bytes: number; ms: number }) => void;
  /**
   * Does the owner's account still exist and is it enabled? (accounts modes; absent: always.) A
   * dataset whose owner is disabled or removed is purged like an expired one: no one is left who
   * could delete it, and its shares end with it. undefined: cannot tell (no accounts file), keep.
   */
  ownerActive?: (user: string) => boolean | undefined;
  /**
   * Which account holds the name now (its creation time), null when none does, undefined when
   * the accounts file cannot tell (accounts modes; absent: shares are not tied to accounts).
   */
  accountOf?: (user: string) => string | null | undefined;
  /** A dataset was purged by the store itself: it expired, its owner signed out with purge or was disabled, or the server is stopping (the audit log). */
  onPurged?: (e: DatasetEntry, reason: PurgeReason) => void;
}

export type PurgeReason = 'expired' | 'owner_disabled' | 'shutdown' | 'logout';

/**
 * Datasets held in the engine's memory, by 128-bit random id. A dataset expires after `idleMs`
 * without access or `absoluteMs` after upload, whichever is first; an expired dataset is purged
 * (its DuckDB table dropped) by the next sweep or the next attempt to use it.
 */
export class DatasetStore {
  private readonly entries = new Map<string, DatasetEntry>();
  constructor(private readonly o: StoreOptions) {}

  add(
    owner: string,
    name: string,
    data: LoadedDataset,
    history: History,
    sourceBytes: number,
    tableBytes = sourceBytes,
  ): DatasetEntry {
    const now = this.o.clock();
    const id = randomBytes(16).toString('hex');
    const entry: DatasetEntry = {
      id,
      owner,
      name,
      data,
      history,
      createdAt: now,
      lastAccessAt: now,
      sourceBytes,
      tableBytes,
      states: new RecipeStates({
        engine: this.o.engine,
        memory: this.o.memory,
        source: data,
        room: (bytes) => this.residentBytes + bytes <= this.o.maxResidentBytes,
        enabled: this.o.cacheRecipeStates !== false,
        ...(this.o.onMaterialise ? { onMaterialise: (info) => this.o.onMaterialise!(id, info) } : {}),
        ...(this.o.onMaterialiseFailure ? { onFailure: (e) => this.o.onMaterialiseFailure!(id, e) } : {}),
      }),
      accesses: [{ at: now, op: 'upload', user: owner }],
      queue: Promise.resolve(),
      counts: new RowCounts(),
      profiles: new ProfileMemo(data.columns),
      shares: new Map(),
      exports: new PreparedExports(this.o.exportHoldMs),
    };
    this.entries.set(entry.id, entry);
    return entry;
  }

  expiresAt(e: DatasetEntry): number {
    return Math.min(e.lastAccessAt + this.o.idleMs, e.createdAt + this.o.absoluteMs);
  }

  private expired(e: DatasetEntry): boolean {
    return this.due(e) !== undefined;
  }

  /** Why the dataset is to be purged now, if it is. */
  private due(e: DatasetEntry, owners = true): 'expired' | 'owner_disabled' | undefined {
    if (this.o.clock() >= this.expiresAt(e)) return 'expired';
    if (owners && this.o.ownerActive?.(e.owner) === false) return 'owner_disabled';
    return undefined;
  }

  /**
   * The dataset if `user` (whose account role is `role`) may do `action` to it, its idle timer
   * touched and the access recorded. Unknown, expired (purged on the way) and other people's
   * datasets they have no share of are all `none`; a dataset they may see but not change in this
   * way is `forbidden` (nothing is touched or recorded).
   */
  async open(id: string, user: string, op: string, action: DatasetAction, role: Role): Promise<Opened> {
    const e = this.entries.get(id);
    // Every decision on a dataset comes through here or `list`: lapsed break-glass views end first.
    if (e) this.endLapsedShares(e);
    const d = decide(e, user, role, action);
    if (!e || d.kind === 'none') return e ? { kind: 'none', owner: e.owner } : { kind: 'none' };
    const due = this.due(e);
    if (due) {
      if (await this.purge(e)) this.o.onPurged?.(e, due);
      return { kind: 'none' };
    }
    if (d.kind === 'forbidden') return { kind: 'forbidden', access: d.access, owner: e.owner };
    const now = this.o.clock();
    e.lastAccessAt = now;
    e.accesses.push({ at: now, op, user });
    if (e.accesses.length > RECENT_ACCESSES) e.accesses.splice(0, e.accesses.length - RECENT_ACCESSES);
    return { kind: 'ok', entry: e, access: d.access };
  }

  /** The dataset if `user` may view it (a member's view; see `open`), else undefined. */
  async get(id: string, user: string, op: string): Promise<DatasetEntry | undefined> {
    const r = await this.open(id, user, op, 'view', 'member');
    return r.kind === 'ok' ? r.entry : undefined;
  }

  /**
   * Run a change of the dataset's state after every earlier one has finished, so two steps
   * sent at once both apply (neither overwrites the other).
   */
  change<T>(e: DatasetEntry, work: () => Promise<T>): Promise<T> {
    const run = e.queue.then(work, work);
    e.queue = run.catch(() => undefined);
    return run;
  }

  /** Live datasets `user` owns or has a share of, with their standing (listing is not access). */
  list(user: string, role: Role): { entry: DatasetEntry; access: DatasetAccess }[] {
    const out: { entry: DatasetEntry; access: DatasetAccess }[] = [];
    for (const entry of this.entries.values()) {
      this.endLapsedShares(entry);
      const access = accessOf(entry, user, role);
      if (access !== undefined && !this.expired(entry)) out.push({ entry, access });
    }
    return out;
  }

  /** Every live dataset, oldest first (an administrator's overview: see admin-routes.ts). */
  held(): DatasetEntry[] {
    const live = [...this.entries.values()].filter((e) => !this.expired(e));
    for (const e of live) this.endLapsedShares(e);
    return live;
  }

  /** Share the dataset with `user` as `role` (or change the role of their share). */
  share(e: DatasetEntry, user: string, role: ShareRole, by: string): void {
    if (user === e.owner) throw new Error('the owner cannot be given a share');
    e.shares.set(user, { role, since: this.o.clock(), by, ...this.accountField(user) });
  }

  private accountField(user: string): { account?: string } {
    const account = this.o.accountOf?.(user);
    return typeof account === 'string' ? { account } : {};
  }

  /**
   * Shares that ended are gone (the owner's list shows only live ones): break-glass views whose
   * time is up, and shares whose account was removed (or removed and made again: a new person).
   */
  private endLapsedShares(e: DatasetEntry): void {
    const now = this.o.clock();
    for (const [user, s] of e.shares) {
      const lapsed = s.until !== undefined && now >= s.until;
      const account = s.account === undefined ? undefined : this.o.accountOf?.(user);
      const gone = account === null || (typeof account === 'string' && account !== s.account);
      if (lapsed || gone) {
        e.shares.delete(user);
        e.exports.dropUser(user);
      }
    }
  }

  /**
   * An administrator breaks the glass: a viewer's share for BREAK_GLASS_MS, with the reason, in
   * the dataset's share list (what the owner sees). No access check: the route decides.
   */
  breakGlass(id: string, admin: string, reason: string): DatasetEntry | undefined {
    const e = this.entries.get(id);
    if (!e || this.expired(e)) return undefined;
    const now = this.o.clock();
    e.shares.set(admin, {
      role: 'viewer',
      since: now,
      by: admin,
      until: now + BREAK_GLASS_MS,
      reason,
      ...this.accountField(admin),
    });
    e.accesses.push({ at: now, op: 'breakglass', user: admin });
    return e;
  }

  /** End `user`'s share; false if they had none. */
  unshare(e: DatasetEntry, user: string): boolean {
    e.exports.dropUser(user);
    return e.shares.delete(user);
  }

  /** Drops the dataset; false if it was already gone. */
  async purge(e: DatasetEntry): Promise<boolean> {
    if (this.entries.get(e.id) !== e) return false;
    this.entries.delete(e.id);
    // No one reaches it any more, through a share either; its profiles (top values) go too.
    e.shares.clear();
    e.profiles.clear();
    e.exports.dispose();
    await e.states.dispose();
    await this.o.memory.drop(() => this.o.engine.drop(e.data));
    return true;
  }

  /**
   * Purge every expired dataset, and (unless `owners` is false: that reads the accounts file) those
   * of disabled or removed accounts; returns how many.
   */
  async sweep({ owners = true }: { owners?: boolean } = {}): Promise<number> {
    let n = 0;
    const failures: unknown[] = [];
    for (const e of [...this.entries.values()]) {
      const due = this.due(e, owners);
      try {
        if (due && (await this.purge(e))) {
          n++;
          this.o.onPurged?.(e, due);
        }
      } catch (error) {
        // One dataset that cannot be dropped does not keep the others.
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
    return n;
  }

  /** Purge every dataset `user` owns (signing out with "delete my datasets"); returns how many. */
  async purgeOwnedBy(user: string): Promise<number> {
    let n = 0;
    for (const e of [...this.entries.values()]) {
      if (e.owner === user && (await this.purge(e))) {
        n++;
        this.o.onPurged?.(e, 'logout');
      }
    }
    return n;
  }

  async purgeAll(): Promise<void> {
    for (const e of [...this.entries.values()]) if (await this.purge(e)) this.o.onPurged?.(e, 'shutdown');
  }

  /** Bytes of the tables of `owner`'s datasets (their share; recipe states are caches, not counted). */
  ownedBytes(owner: string): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.owner === owner) n += e.tableBytes;
    return n;
  }

  /** Engine bytes held by all datasets: source tables and materialised states (admission control). */
  get residentBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.tableBytes + e.states.bytes;
    return n;
  }

  /** Drop every materialised state (they are caches) to make room; returns the bytes it frees. */
  dropStates(): number {
    let n = 0;
    for (const e of this.entries.values()) {
      n += e.states.bytes;
      e.states.clear();
    }
    return n;
  }

  get size(): number {
    return this.entries.size;
  }
}
