import type { NodeEngine } from '@tidyvault/engine-node';

/**
 * DuckDB's tags for the blocks of in-memory tables (a dataset's source table, its materialised
 * states): the columns' segments, and the strings too long for a segment (over about 4 KB), which
 * live in blocks of their own.
 */
const TABLE_TAGS: ReadonlySet<string> = new Set(['IN_MEMORY_TABLE', 'OVERFLOW_STRINGS']);

/** A compaction needs room for a compressed copy of what it compresses, as much again at worst. */
const COMPACTION_ROOM = 2;

/**
 * What each table really takes in the engine. DuckDB has no per-table byte count for an
 * in-memory database (`duckdb_tables().estimated_size` is a row count; `pragma_storage_info`
 * gives no sizes for in-memory segments), but its buffer manager counts every block of every
 * in-memory table under one tag. Creating and dropping tables one at a time makes the growth
 * of that count while a table is made exactly the bytes that table holds, in memory or spilled.
 */
export class EngineMemory {
  private queue: Promise<unknown> = Promise.resolve();
  private compaction: Promise<void> | undefined;
  constructor(private readonly engine: NodeEngine) {}

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Bytes of all in-memory tables: in memory plus spilled. */
  async tableBytes(): Promise<{ memoryBytes: number; temporaryBytes: number }> {
    const rows = (await this.engine.memoryUsage()).filter((r) => TABLE_TAGS.has(r.tag));
    return {
      memoryBytes: rows.reduce((n, r) => n + r.memoryBytes, 0),
      temporaryBytes: rows.reduce((n, r) => n + r.temporaryBytes, 0),
    };
  }

  /**
   * Run `work` (which creates one table) alone, and measure what the table takes. `setup` runs
   * first under the same lock, unmeasured (tables the engine shares, such as cluster keys).
   */
  create<T>(work: () => Promise<T>, setup?: () => Promise<void>): Promise<{ value: T; bytes: number }> {
    return this.exclusive(async () => {
      await setup?.();
      const before = await this.tableBytes();
      const value = await work();
      const after = await this.tableBytes();
      const bytes = after.memoryBytes + after.temporaryBytes - (before.memoryBytes + before.temporaryBytes);
      this.compactSoon();
      return { value, bytes: Math.max(0, bytes) };
    });
  }

  /**
   * Compress the new table once nothing else is made or dropped (engine.compact(), under the
   * same lock so that no measurement sees tables shrink). A table's measured bytes stay its
   * uncompressed size: the memory budget counts high. One compaction waits at a time.
   */
  private compactSoon(): void {
    if (this.compaction || !this.engine.compressesTables) return;
    this.compaction = this.exclusive(async () => {
      this.compaction = undefined;
      // A checkpoint that runs out of memory leaves DuckDB's database unusable for every dataset
      // (DuckDB invalidates it): compress only with room for it; the tables stay as they are.
      const limit = this.engine.memoryLimitBytes;
      const used = (await this.engine.memoryUsage()).reduce((n, r) => n + r.memoryBytes, 0);
      if (limit === undefined || COMPACTION_ROOM * used > limit) return;
      // Fails while another connection writes (a cluster-key fill): the next table made retries.
      await this.engine.compact().catch(() => undefined);
    });
  }

  /** Drop tables one at a time with creations, so no measurement sees a drop. */
  drop(work: () => Promise<void>): Promise<void> {
    return this.exclusive(work);
  }
}
