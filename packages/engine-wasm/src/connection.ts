import type { AsyncDuckDB, AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import type { RecordBatch, Table } from 'apache-arrow';

/**
 * The one connection the engine uses, with statements run one at a time (the worker runs them
 * in order anyway; this keeps a failed statement from interleaving with another's retries).
 */
export class Connection {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly db: AsyncDuckDB,
    readonly raw: AsyncDuckDBConnection,
  ) {}

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Run a statement and return its result as an Arrow table. */
  query(sql: string): Promise<Table> {
    return this.serial(() => this.raw.query(sql));
  }

  /** Run a statement for its effect. */
  async run(sql: string): Promise<void> {
    await this.query(sql);
  }

  /** Run a statement with bound parameters ($1, $2, …). */
  queryWith(sql: string, params: unknown[]): Promise<Table> {
    return this.serial(async () => {
      const prepared = await this.raw.prepare(sql);
      try {
        return await prepared.query(...params);
      } finally {
        await prepared.close();
      }
    });
  }

  /**
   * Run a statement and hand its result to `each` one Arrow batch at a time (the whole result is
   * never held). If `each` fails, the rest of the result is read and dropped, so the connection
   * is free for the next statement.
   */
  forEachBatch(sql: string, each: (batch: RecordBatch) => void | Promise<void>): Promise<void> {
    return this.serial(async () => {
      const reader = await this.raw.send(sql, true);
      try {
        for await (const batch of reader) await each(batch);
      } catch (e) {
        for await (const _ of reader) {
          /* drained */
        }
        throw e;
      }
    });
  }

  /** Append the rows of an Arrow table to an existing table. */
  insertArrow(table: Table, into: string): Promise<void> {
    return this.serial(() => this.raw.insertArrowTable(table, { name: into, create: false }));
  }
}

/** The first line of a DuckDB error, without its "Xxx Error: " prefix (as engine-node words it). */
export const duckdbReason = (e: unknown): string =>
  ((e as Error).message ?? String(e)).split('\n')[0]!.replace(/^[A-Za-z ]+Error: /, '');
