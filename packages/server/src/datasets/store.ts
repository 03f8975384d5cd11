import { randomBytes } from 'node:crypto';
import type { History, LoadedDataset } from '@tidyvault/core';
import type { NodeEngine } from '@tidyvault/engine-node';
import type { Clock } from '../options.js';
import { RowCounts } from './count.js';
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
}

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
  onMaterialiseFailure?: (id: string, e: unknown) => void;
  onMaterialise?: (id: string, info: { steps: number; fromSteps: number; bytes: number; ms: number }) => void;
  /** A dataset was purged by the store itself: it expired, or the server is stopping (the audit log). */
  onPurged?: (e: DatasetEntry, reason: 'expired' | 'shutdown') => void;
}

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
    };
    this.entries.set(entry.id, entry);
    return entry;
  }

  expiresAt(e: DatasetEntry): number {
    return Math.min(e.lastAccessAt + this.o.idleMs, e.createdAt + this.o.absoluteMs);
  }

  private expired(e: DatasetEntry): boolean {
    return this.o.clock() >= this.expiresAt(e);
  }

  /**
   * The caller's live dataset, its idle timer touched and the access recorded; undefined for
   * unknown, someone else's and expired ids alike (expired ones are purged on the way).
   */
  async get(id: string, user: string, op: string): Promise<DatasetEntry | undefined> {
    const e = this.entries.get(id);
    if (!e || e.owner !== user) return undefined;
    if (this.expired(e)) {
      if (await this.purge(e)) this.o.onPurged?.(e, 'expired');
      return undefined;
    }
    const now = this.o.clock();
    e.lastAccessAt = now;
    e.accesses.push({ at: now, op, user });
    if (e.accesses.length > RECENT_ACCESSES) e.accesses.splice(0, e.accesses.length - RECENT_ACCESSES);
    return e;
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

  /** Live datasets owned by `user` (listing does not count as access). */
  list(user: string): DatasetEntry[] {
    return [...this.entries.values()].filter((e) => e.owner === user && !this.expired(e));
  }

  /** Drops the dataset; false if it was already gone. */
  async purge(e: DatasetEntry): Promise<boolean> {
    if (this.entries.get(e.id) !== e) return false;
    this.entries.delete(e.id);
    await e.states.dispose();
    await this.o.memory.drop(() => this.o.engine.drop(e.data));
    return true;
  }

  /** Purge every expired dataset; returns how many. */
  async sweep(): Promise<number> {
    const due = [...this.entries.values()].filter((e) => this.expired(e));
    for (const e of due) if (await this.purge(e)) this.o.onPurged?.(e, 'expired');
    return due.length;
  }

  async purgeAll(): Promise<void> {
    for (const e of [...this.entries.values()]) if (await this.purge(e)) this.o.onPurged?.(e, 'shutdown');
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
