import type { WatchedChange } from '../audit/change-watch.js';
import type { Account, Accounts } from './accounts.js';

export type AccountAction =
  | 'account_add'
  | 'account_remove'
  | 'account_disable'
  | 'account_enable'
  | 'account_password_reset'
  | 'account_role';

export interface AccountChange extends WatchedChange {
  action: AccountAction;
  target: string;
}

/**
 * What changed between two readings of users.json. A rehash at sign-in (same password, stronger
 * parameters) changes nothing here: the password counts as changed when `passwordChangedAt` does.
 */
export function accountChanges(before: readonly Account[], after: readonly Account[]): AccountChange[] {
  const old = new Map(before.map((a) => [a.name, a]));
  const changes: AccountChange[] = [];
  for (const a of after) {
    const b = old.get(a.name);
    old.delete(a.name);
    if (!b) {
      changes.push({ action: 'account_add', target: a.name });
      if (a.disabled) changes.push({ action: 'account_disable', target: a.name });
      continue;
    }
    if (b.role !== a.role) changes.push({ action: 'account_role', target: a.name });
    if (b.passwordChangedAt !== a.passwordChangedAt)
      changes.push({ action: 'account_password_reset', target: a.name });
    if (!b.disabled && a.disabled) changes.push({ action: 'account_disable', target: a.name });
    if (b.disabled && !a.disabled) changes.push({ action: 'account_enable', target: a.name });
  }
  for (const name of old.keys()) changes.push({ action: 'account_remove', target: name });
  return changes;
}

/** The accounts, for the change watch: no file (or an empty one) is a failed reading, not "all removed". */
export function knownAccounts(accounts: Pick<Accounts, 'known'>): Account[] {
  const known = accounts.known();
  if (!known) throw new Error('no accounts file to compare');
  return known;
}

/** The accounts, or undefined when the file cannot tell: missing, empty or unreadable. */
function readable(accounts: Pick<Accounts, 'known'>): Account[] | undefined {
  try {
    return accounts.known();
  } catch {
    return undefined;
  }
}

/**
 * Is the account there and enabled? undefined when the accounts file cannot tell (no dataset is
 * purged for that).
 */
export const ownerActive =
  (accounts: Pick<Accounts, 'known'>) =>
  (user: string): boolean | undefined => {
    const known = readable(accounts);
    if (!known) return undefined;
    const a = known.find((x) => x.name === user);
    return a !== undefined && !a.disabled;
  };

/**
 * Which account holds the name now: its creation time (a name removed and added again is another
 * account), null when no account has it, undefined when the accounts file cannot tell.
 */
export const accountOf =
  (accounts: Pick<Accounts, 'known'>) =>
  (user: string): string | null | undefined => {
    const known = readable(accounts);
    if (!known) return undefined;
    return known.find((x) => x.name === user)?.createdAt ?? null;
  };
