import type { WatchedChange } from '../audit/change-watch.js';
import type { SecretsStore } from './store.js';

type Snapshot = ReturnType<SecretsStore['snapshot']>;

/** What changed in secrets.json between two readings: names only, never a setting or a value. */
export function secretChanges(before: Snapshot, after: Snapshot): WatchedChange[] {
  const old = new Map(before.records.map((r) => [r.name, r]));
  const changes: WatchedChange[] = [];
  for (const r of after.records) {
    const b = old.get(r.name);
    old.delete(r.name);
    if (!b) changes.push({ action: 'secret_add', target: r.name });
    else if (JSON.stringify(b) !== JSON.stringify(r))
      changes.push({ action: 'secret_change', target: r.name });
  }
  for (const name of old.keys()) changes.push({ action: 'secret_remove', target: name });
  if (before.keyId !== null && after.keyId !== null && before.keyId !== after.keyId)
    changes.push({ action: 'secrets_key_rotate', target: null });
  return changes;
}
