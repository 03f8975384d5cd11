import os from 'node:os';
import { usableMemory } from './usable-memory.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBInstance } from './duckdb.js';
import { TidyvaultError } from '@tidyvault/core';
import { claimSpillFolder, releaseSpillFolder, spillFolderProblem } from './spill-folder.js';
import { col, inList, lit, select, statement, type LiteralValue, type SettingName } from '@tidyvault/sql';

export interface SandboxOptions {
  /** Files DuckDB may read or write (inputs, the temporary output). */
  allowedPaths?: string[];
  /** Folders DuckDB may read or write (the private staging folder). */
  allowedDirectories?: string[];
  /** Let the connection report query progress (costs time; off unless someone shows it). */
  trackProgress?: boolean;
  /** e.g. '4GB'; default: half the machine's memory. */
  memoryLimit?: string;
  threads?: number;
  /** A private folder the operator chose for spilling; spilling is off without it. */
  spillDirectory?: string;
  /**
   * Keep tables in a second in-memory database that DuckDB compresses at each checkpoint (about
   * a quarter of the memory for text; see NodeEngine.compact). Still memory only: no file.
   */
  compressTables?: boolean;
}

export interface Sandbox {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  settings: Record<string, string>;
  /** The database tables live in ('memory', or the compressed one). */
  database: string;
  /** Another connection, working in the same database as `connection`. */
  connect(): Promise<DuckDBConnection>;
  /** Spill files of a process that is gone, deleted from the spill folder at start. */
  spillSwept: string[];
  /** The spill folder this process has taken (released when the engine closes). */
  spillDirectory?: string;
}

/** The compressed in-memory database of `compressTables`. */
const COMPRESSED_DATABASE = 'tidyvault';

const defaultMemoryLimit = () => `${Math.max(256, Math.floor(usableMemory() / 2 / 2 ** 20))}MB`;

/**
 * Settings given at creation. DuckDB's defaults are open (extension autoinstall/autoload,
 * external access, plaintext spill to ./.tmp); these close them.
 */
function createOptions(o: SandboxOptions): Record<string, string> {
  return {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    allow_unsigned_extensions: 'false',
    allow_persistent_secrets: 'false',
    memory_limit: o.memoryLimit ?? defaultMemoryLimit(),
    threads: String(o.threads ?? Math.max(1, os.cpus().length)),
    temp_directory: o.spillDirectory ?? '',
    preserve_insertion_order: 'true',
    // Memory freed by a dropped dataset goes back to the OS: without jemalloc's background
    // purging, freed pages stay in the process (RSS ratchets up; see packages/server/src/proofs/rss).
    allocator_background_threads: 'true',
  };
}

/** What a locked-down instance must report; the self-check compares these with duckdb_settings(). */
export function expectedSettings(o: SandboxOptions): Record<string, string> {
  return {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    allow_unsigned_extensions: 'false',
    allow_persistent_secrets: 'false',
    enable_external_access: 'false',
    lock_configuration: 'true',
    temp_directory: o.spillDirectory ?? '',
  };
}

/** Open an in-memory DuckDB that cannot fetch, install or load anything and touches only the listed paths. */
export async function openSandbox(o: SandboxOptions = {}): Promise<Sandbox> {
  let spillSwept: string[] = [];
  if (o.spillDirectory !== undefined) {
    const problem = spillFolderProblem(o.spillDirectory);
    if (problem) throw new TidyvaultError('USAGE', `spill folder ${o.spillDirectory} ${problem}`);
    const claim = claimSpillFolder(o.spillDirectory);
    if ('problem' in claim)
      throw new TidyvaultError('USAGE', `spill folder ${o.spillDirectory} ${claim.problem}`);
    spillSwept = claim.swept;
  }
  try {
    return await openClaimed(o, spillSwept);
  } catch (e) {
    if (o.spillDirectory !== undefined) releaseSpillFolder(o.spillDirectory);
    throw e;
  }
}

async function openClaimed(o: SandboxOptions, spillSwept: string[]): Promise<Sandbox> {
  const instance = await DuckDBInstance.create(':memory:', createOptions(o));
  const database = o.compressTables ? COMPRESSED_DATABASE : 'memory';
  const connect = async () => {
    const c = await instance.connect();
    if (o.compressTables) await c.run(statement({ kind: 'use', name: database }));
    return c;
  };
  if (o.compressTables) {
    const first = await instance.connect();
    // Before external access is turned off (it refuses ATTACH afterwards).
    await first.run(statement({ kind: 'attachMemory', name: database, compress: true }));
    first.closeSync();
  }
  const connection = await connect();
  const set = (name: SettingName, value: LiteralValue | string[]) =>
    connection.run(statement({ kind: 'set', name, value }));
  // Order matters: allowed_* cannot be set once external access is off, nothing once locked.
  await set('allowed_paths', o.allowedPaths ?? []);
  await set('allowed_directories', o.allowedDirectories ?? []);
  // DuckDB's progress tracking costs about a tenth of a query's instructions: only when shown.
  await set('enable_progress_bar', o.trackProgress === true);
  await set('enable_progress_bar_print', false);
  const extensions = loadedExtensionsProblem(await loadedExtensions(connection));
  await set('enable_external_access', false);
  await set('lock_configuration', true);
  const settings = await selfCheck(connection, o);
  if (extensions)
    throw new TidyvaultError('EXECUTION', `DuckDB sandbox self-check failed, refusing to run: ${extensions}`);
  return {
    instance,
    connection,
    settings,
    database,
    connect,
    spillSwept,
    ...(o.spillDirectory !== undefined ? { spillDirectory: o.spillDirectory } : {}),
  };
}

/** Refuse to run unless every security setting is what the sandbox requires. */
export async function selfCheck(
  connection: DuckDBConnection,
  o: SandboxOptions,
): Promise<Record<string, string>> {
  const expected = expectedSettings(o);
  const names = [...Object.keys(expected), 'memory_limit', 'allowed_paths', 'allowed_directories'];
  const reader = await connection.runAndReadAll(
    select({
      kind: 'select',
      columns: [{ expr: col('name') }, { expr: col('value') }],
      from: { kind: 'tableFunction', fn: 'duckdb_settings', args: [] },
      where: inList(
        col('name'),
        names.map((n) => lit(n)),
      ),
    }),
  );
  const actual: Record<string, string> = {};
  for (const [name, value] of reader.getRowsJson()) actual[String(name)] = String(value ?? '');
  const wrong = Object.entries(expected).filter(([k, v]) => actual[k] !== v);
  if (wrong.length > 0) {
    throw new TidyvaultError(
      'EXECUTION',
      `DuckDB sandbox self-check failed, refusing to run: ${wrong.map(([k, v]) => `${k}=${actual[k]} (expected ${v})`).join(', ')}`,
    );
  }
  return actual;
}

/**
 * The loaded extensions. DuckDB lists them by reading its extension folder, which it may not once
 * external access is off: asked just before, when nothing can load any more (autoload off).
 */
async function loadedExtensions(connection: DuckDBConnection): Promise<{ name: string; mode: string }[]> {
  const reader = await connection.runAndReadAll(
    select({
      kind: 'select',
      columns: [{ expr: col('extension_name') }, { expr: col('install_mode') }],
      from: { kind: 'tableFunction', fn: 'duckdb_extensions', args: [] },
      where: col('loaded'),
    }),
  );
  return reader.getRowsJson().map(([name, mode]) => ({ name: String(name), mode: String(mode) }));
}

/** The extensions built into the DuckDB binary: nothing else may be loaded (nothing is downloaded). */
export const BUILT_IN_EXTENSIONS = ['autocomplete', 'core_functions', 'icu', 'json', 'parquet'];

/** What is wrong with the loaded extensions, or undefined: one not built in, or not statically linked. */
export function loadedExtensionsProblem(loaded: { name: string; mode: string }[]): string | undefined {
  const odd = loaded.filter((e) => !BUILT_IN_EXTENSIONS.includes(e.name) || e.mode !== 'STATICALLY_LINKED');
  if (odd.length === 0) return undefined;
  return `extensions loaded that are not built in: ${odd.map((e) => `${e.name} (${e.mode})`).join(', ')}`;
}
