import type { Role } from '../auth/accounts.js';

/**
 * The one place that decides what a user may do with a dataset.
 *
 * - The owner (who uploaded it) may do everything: view, change the recipe, share, revoke, delete.
 * - An `editor` (shared with them as editor) may view, export and change the recipe (steps,
 *   undo, redo, replace), but not share, revoke or delete.
 * - A `viewer` (shared with them as viewer) may view and export only.
 * - Anyone else, administrators included, has no access at all: the dataset does not exist for
 *   them (the same 404 as an unknown id) — unless an administrator breaks the glass (a fresh
 *   re-authentication and a reason): a viewer's share for BREAK_GLASS_MS, which the owner sees.
 *
 * An account whose role is `viewer` is only ever a viewer, even of a dataset shared with it as
 * editor (or one it uploaded before its role was lowered).
 */

export type ShareRole = 'viewer' | 'editor';
export const SHARE_ROLES = ['viewer', 'editor'] as const satisfies readonly ShareRole[];

/** A user's standing on one dataset. */
export type DatasetAccess = 'owner' | ShareRole;

/** What a request does to a dataset. */
export type DatasetAction = 'view' | 'edit' | 'manage';

export interface Share {
  role: ShareRole;
  /** When it was granted (or its role last changed), ms since the epoch. */
  since: number;
  /** Who granted it (the owner; an administrator who broke the glass). */
  by: string;
  /** Break-glass only: when it ends (ms since the epoch; the store ends it), and why it was taken. */
  until?: number;
  reason?: string;
  /**
   * The recipient's account as it was when shared (its creation time): a share ends when that
   * account is removed, and is not inherited by a new account given the same name.
   */
  account?: string;
}

/** How long a break-glass view lasts. */
export const BREAK_GLASS_MS = 15 * 60_000;

export interface Shared {
  readonly owner: string;
  readonly shares: ReadonlyMap<string, Share>;
}

const ALLOWED: Readonly<Record<DatasetAccess, readonly DatasetAction[]>> = {
  owner: ['view', 'edit', 'manage'],
  editor: ['view', 'edit'],
  viewer: ['view'],
};

/** The user's standing on the dataset, or undefined when they have none. */
export function accessOf(d: Shared, user: string, accountRole: Role): DatasetAccess | undefined {
  const standing: DatasetAccess | undefined = d.owner === user ? 'owner' : d.shares.get(user)?.role;
  if (standing === undefined) return undefined;
  return accountRole === 'viewer' ? 'viewer' : standing;
}

export const allows = (access: DatasetAccess, action: DatasetAction): boolean =>
  ALLOWED[access].includes(action);

/**
 * The decision for one request: `none` (answer exactly as for an unknown id), `forbidden` (they
 * can see the dataset, so a 403 tells them nothing new) or `ok` with their standing.
 */
export type Decision =
  { kind: 'ok'; access: DatasetAccess } | { kind: 'forbidden'; access: DatasetAccess } | { kind: 'none' };

export function decide(
  d: Shared | undefined,
  user: string,
  accountRole: Role,
  action: DatasetAction,
): Decision {
  const access = d && accessOf(d, user, accountRole);
  if (access === undefined) return { kind: 'none' };
  return allows(access, action) ? { kind: 'ok', access } : { kind: 'forbidden', access };
}
