import { canRedo, canUndo, currentRecipe } from '@tidyvault/core';
import type { DatasetEntry, DatasetStore } from './store.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function summary(store: DatasetStore, e: DatasetEntry) {
  return {
    id: e.id,
    name: e.name,
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

export function location(store: DatasetStore, e: DatasetEntry, spillDirectory: string) {
  return {
    id: e.id,
    where: 'memory' as const,
    process: process.pid,
    description:
      'held in the memory of this server process (an in-memory DuckDB table); purged on delete, expiry or shutdown',
    approxBytes: e.sourceBytes,
    approxBytesNote: 'size of the uploaded file; the in-memory table is of the same order',
    onDisk:
      spillDirectory === ''
        ? []
        : [{ path: spillDirectory, what: 'DuckDB may spill here under memory pressure' }],
    spill: spillDirectory === '' ? 'off' : 'on',
    owner: e.owner,
    createdAt: iso(e.createdAt),
    lastAccessAt: iso(e.lastAccessAt),
    expiresAt: iso(store.expiresAt(e)),
    recentAccesses: e.accesses.map((a) => ({ at: iso(a.at), op: a.op, user: a.user })),
    caveat: 'freed memory is not zeroed by the engine; the bytes stay until the memory is reused',
  };
}
