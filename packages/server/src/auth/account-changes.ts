import type { Account, Accounts } from './accounts.js';

export type AccountAction =
  | 'account_add'
  | 'account_remove'
  | 'account_disable'
  | 'account_enable'
  | 'account_password_reset'
  | 'account_role';

export interface AccountChange {
  action: AccountAction;
  user: string;
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
      changes.push({ action: 'account_add', user: a.name });
      if (a.disabled) changes.push({ action: 'account_disable', user: a.name });
      continue;
    }
    if (b.role !== a.role) changes.push({ action: 'account_role', user: a.name });
    if (b.passwordChangedAt !== a.passwordChangedAt)
      changes.push({ action: 'account_password_reset', user: a.name });
    if (!b.disabled && a.disabled) changes.push({ action: 'account_disable', user: a.name });
    if (b.disabled && !a.disabled) changes.push({ action: 'account_enable', user: a.name });
  }
  for (const name of old.keys()) changes.push({ action: 'account_remove', user: name });
  return changes;
}

/**
 * The accounts as the server last saw them. `check` reports each change made since (by
 * `tidyvault users …` while the server runs, or the first administrator's setup) once. Changes
 * made while the server was stopped are not reported: the first reading is the baseline.
 */
export class AccountWatch {
  private last: Account[] | undefined;

  constructor(
    private readonly accounts: Pick<Accounts, 'list'>,
    private readonly report: (change: AccountChange) => void,
  ) {
    this.last = this.read();
  }

  check(): void {
    const now = this.read();
    // An unreadable file is not "every account removed": the next good reading is compared.
    if (!now) return;
    if (this.last) for (const c of accountChanges(this.last, now)) this.report(c);
    this.last = now;
  }

  private read(): Account[] | undefined {
    try {
      return this.accounts.list();
    } catch {
      return undefined;
    }
  }
}
