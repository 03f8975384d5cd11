import fs from 'node:fs';
import { canRedo, canUndo, currentRecipe } from '@tidyvault/core';
import type { NodeEngine } from '@tidyvault/engine-node';
import type { DatasetAccess } from './acl.js';
import type { EngineMemory } from './memory.js';
import type { DatasetEntry, DatasetStore } from './store.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** `access`: the caller's standing (an upload's answer: its owner). */
export function summary(store: DatasetStore, e: DatasetEntry, access: DatasetAccess = 'owner') {
  return {
    id: e.id,
    name: e.name,
    owner: e.owner,
    access,
    rows: e.data.rowCount,
    columns: e.data.columns,
    createdAt: iso(e.createdAt),
    expiresAt: iso(store.expiresAt(e)),
  };
}

export function historyView(e: DatasetEntry) {
  return {
    recipe: currentRecipe(e.history),
    cursor: e.history.cursor,
    steps: e.history.steps.length,
    canUndo: canUndo(e.history),
    canRedo: canRedo(e.history),
  };
}

/** A file's size on disk now, or undefined when it has gone meanwhile. */
function sizeOnDisk(file: string): number | undefined {
  try {
    return fs.statSync(file).size;
  } catch {
    return undefined;
  }
}

export async function location(
  store: DatasetStore,
  e: DatasetEntry,
  o: { memory: EngineMemory; engine: NodeEngine; spillDirectory: string },
) {
  const states = e.states.tables;
  const stateBytes = states.reduce((n, s) => n + s.bytes, 0);
  const spill = o.spillDirectory !== '';
  const [tables, files] = await Promise.all([o.memory.tableBytes(), o.engine.temporaryFiles()]);
  return {
    id: e.id,
    where: 'memory' as const,
    process: process.pid,
    description:
      'held in the memory of this server process (in-memory DuckDB tables: the upload and the results of recipe states); purged on delete, expiry or shutdown',
    approxBytes: e.tableBytes + stateBytes,
    approxBytesNote:
      "bytes DuckDB's buffer manager allocated for this dataset's tables (duckdb_memory(), tags IN_MEMORY_TABLE and OVERFLOW_STRINGS), measured as each table was made, in memory or spilled, excluding short-lived query memory and the JavaScript side; DuckDB compresses a table after it is made, so it may hold less now (engine.tableMemoryBytes: what every dataset holds at this moment)",
    bytes: {
      source: e.tableBytes,
      recipeStates: stateBytes,
      uploadedFile: e.sourceBytes,
    },
    recipeStates: states.map((s) => ({ steps: s.steps, rows: s.rows, bytes: s.bytes })),
    engine: {
      tableMemoryBytes: tables.memoryBytes,
      tableSpilledBytes: tables.temporaryBytes,
      note: 'every dataset of this server together',
    },
    onDisk: files.map((f) => ({
      path: f.path,
      bytes: sizeOnDisk(f.path) ?? f.bytes,
      inUseBytes: f.bytes,
      what: 'a DuckDB spill file (plaintext); DuckDB does not say which dataset its blocks belong to, so it may hold blocks of any dataset on this server, including datasets deleted since (their blocks are not overwritten until reused)',
    })),
    onDiskNote: spill
      ? `spilling is on: DuckDB may write blocks of any dataset to ${o.spillDirectory} under memory pressure; the list is what is there now (duckdb_temporary_files()), with each file's size on disk and the bytes DuckDB still uses in it. A deleted dataset's spilled blocks stay in a file until DuckDB reuses them or removes the file, which it does once no dataset has blocks in it`
      : 'spilling is off: nothing of this dataset is written to disk (over the memory limit a query fails instead)',
    preparedExports: e.exports.list().map((x) => ({
      path: x.file,
      bytes: x.bytes,
      format: x.format,
      user: x.user,
      until: iso(x.until),
      what: "an export built for one download, in the engine's private staging folder (see staging); deleted once downloaded, after a minute, or with the dataset",
    })),
    staging: stagingView(o.engine.staging),
    spill: spill ? ('on' as const) : ('off' as const),
    ...(spill ? { spillDirectory: o.spillDirectory } : {}),
    owner: e.owner,
    sharedWith: sharesView(e),
    createdAt: iso(e.createdAt),
    lastAccessAt: iso(e.lastAccessAt),
    expiresAt: iso(store.expiresAt(e)),
    recentAccesses: e.accesses.map((a) => ({ at: iso(a.at), op: a.op, user: a.user })),
    caveat: 'freed memory is not zeroed by the engine; the bytes stay until the memory is reused',
  };
}

/** Where uploads and prepared exports pass through on their way in and out. */
export function stagingView(staging: { dir: string; inRam: boolean }) {
  return {
    folder: staging.dir,
    ramBacked: staging.inRam,
    what: staging.inRam
      ? "uploads and prepared exports pass through files in this private (0700) folder on a RAM-backed file system (tmpfs): an upload's file is removed once it is loaded, and nothing of it reaches a disk (unless the machine swaps)"
      : "uploads and prepared exports pass through files in this private (0700) folder, which is NOT on a RAM-backed file system on this machine: an upload's file is removed once it is loaded, but its bytes may stay on the disk until overwritten",
  };
}

/** Who else may use the dataset, and how, in the order the shares were made. */
export function sharesView(e: DatasetEntry) {
  return [...e.shares].map(([user, s]) => ({
    user,
    role: s.role,
    since: iso(s.since),
    ...(s.until !== undefined ? { breakGlass: { reason: s.reason ?? '', until: iso(s.until) } } : {}),
  }));
}
