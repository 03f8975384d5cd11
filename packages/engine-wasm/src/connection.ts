import type { AsyncDuckDB, AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import type { RecordBatch, Table } from 'apache-arrow';
import { engineFailure, isEngineBroken } from './engine-failure.js';

/** Any statement's error, worded for the user when DuckDB-WASM itself has stopped working. */
function failedEngine(e: unknown): unknown {
  const message = (e as Error | undefined)?.message;
  return typeof message === 'string' && isEngineBroken(message)
    ? engineFailure(message, 'reading the data')
    : e;
}

/**
 * The one connection the engine uses, with statements run one at a time (the worker runs them
 * in order anyway; this keeps a failed statement from interleaving with another's retries).
 * Background statements (a profile's columns) run only when no other statement waits, so a
 * page or an export asked for meanwhile goes first.
 */
export class Connection {
  private running = false;
  private readonly waiting: (() => void)[] = [];
  private readonly background: (() => void)[] = [];

  constructor(
    readonly db: AsyncDuckDB,
    readonly raw: AsyncDuckDBConnection,
    /** Inside exclusive(): statements run at once, the queue is already held. */
    private readonly held = false,
  ) {}

  private serial<T>(work: () => Promise<T>, background = false): Promise<T> {
    if (this.held) return work();
    return new Promise<T>((resolve, reject) => {
      const job = () => {
        this.running = true;
        work()
          .then(resolve, (e: unknown) => reject(failedEngine(e)))
          .finally(() => {
            this.running = false;
            this.next();
          });
      };
      (background ? this.background : this.waiting).push(job);
      this.next();
    });
  }

  private next(): void {
    if (this.running) return;
    const job = this.waiting.shift();
    if (job) return job();
    if (this.background.length === 0) return;
    // A caller between two statements (awaiting the last one's result) queues its next one in
    // the same turn: give it that turn before a background statement starts.
    setTimeout(() => {
      if (this.running) return;
      (this.waiting.shift() ?? this.background.shift())?.();
    }, 0);
  }

  /**
   * Runs `work` holding the connection: its statements (through the connection it is given)
   * and its other calls to DuckDB (files registered and read back) run with no other statement
   * in between.
   */
  exclusive<T>(work: (held: Connection) => Promise<T>): Promise<T> {
    return this.serial(() => work(new Connection(this.db, this.raw, true)));
  }

  /** A statement that waits for every other statement queued (see the class comment). */
  queryInBackground(sql: string): Promise<Table> {
    return this.serial(() => this.raw.query(sql), true);
  }

  /** Run a statement and return its result as an Arrow table. */
  query(sql: string): Promise<Table> {
    return this.serial(() => this.raw.query(sql));
  }

  /** Run a statement for its effect. */
  async run(sql: string): Promise<void> {
    await this.query(sql);
  }

  /** Run a statement for its effect once no other statement waits (see the class comment). */
  async runInBackground(sql: string): Promise<void> {
    await this.queryInBackground(sql);
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
