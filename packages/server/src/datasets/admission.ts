import { formatBytes } from '@tidyvault/core';
import { ApiError } from '../errors.js';
import type { DatasetStore } from './store.js';

export interface AdmissionOptions {
  store: DatasetStore;
  /** What all datasets may hold together (their tables and materialised recipe states). */
  maxResidentBytes: number;
  /** What one user's datasets may hold (their tables); undefined: no share of their own. */
  maxUserBytes: number | undefined;
}

const noRoom = () =>
  new ApiError(
    507,
    'INSUFFICIENT_MEMORY',
    'the server has no room for this dataset now; delete a dataset or try later',
  );

const overShare = (held: number, bytes: number, max: number) =>
  new ApiError(
    507,
    'USER_MEMORY_FULL',
    bytes > max
      ? `this dataset needs about ${formatBytes(bytes)}, more than the ${formatBytes(max)} one user's datasets may hold on this server (the operator sets it with --max-memory-per-user)`
      : `your datasets hold ${formatBytes(held)} of the ${formatBytes(max)} one user's datasets may hold on this server, and this one needs about ${formatBytes(bytes)}: delete one of yours, or ask the operator to raise --max-memory-per-user`,
    { setting: 'max-memory-per-user', limit: max },
  );

/**
 * Admission control for a new dataset of about `bytes` for `user`: their own share first (so
 * that one user cannot take the memory everyone shares), then the server's budget, after
 * dropping materialised recipe states (caches) if that makes room. Throws the 507 that says which.
 */
export function admit(o: AdmissionOptions, user: string, bytes: number): void {
  if (o.maxUserBytes !== undefined) {
    const held = o.store.ownedBytes(user);
    if (held + bytes > o.maxUserBytes) throw overShare(held, bytes, o.maxUserBytes);
  }
  if (o.store.residentBytes + bytes <= o.maxResidentBytes) return;
  o.store.dropStates();
  if (o.store.residentBytes + bytes > o.maxResidentBytes) throw noRoom();
}
