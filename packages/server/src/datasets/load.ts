import type { FastifyRequest } from 'fastify';
import { ApiError, notFound } from '../errors.js';
import type { DatasetAccess, DatasetAction } from './acl.js';
import type { DatasetEntry, DatasetStore } from './store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Whose dataset and which other user a request concerned, for its audit record (audit/record.ts). */
    auditParties?: { owner?: string; subject?: string };
  }
}

function forbidden(access: DatasetAccess, action: DatasetAction, owner: string): ApiError {
  if (action === 'manage')
    return new ApiError(
      403,
      'DATASET_FORBIDDEN',
      `only its owner, ${owner}, can share or delete this dataset`,
    );
  return new ApiError(
    403,
    'DATASET_FORBIDDEN',
    access === 'viewer'
      ? `this dataset is shared with you to view only; ask its owner, ${owner}, to make you an editor to change it`
      : 'you cannot change this dataset',
  );
}

/**
 * Every dataset route's way to its dataset: the store asks the ACL (acl.ts) whether the signed-in
 * user may do `action`. No access at all is the 404 of an unknown id (byte for byte); access
 * that does not reach this action is a 403 (they can see the dataset, so it tells them nothing).
 * Either way the audit record names the dataset's owner, so the owner's audit log shows who
 * tried, and who of the people it is shared with used it.
 */
export function datasetLoader(store: DatasetStore) {
  const open = async (
    request: FastifyRequest,
    id: string,
    op: string,
    action: DatasetAction = 'view',
  ): Promise<{ entry: DatasetEntry; access: DatasetAccess }> => {
    const user = request.session!.user;
    // Set by the role check on every signed-in route; the least role if it somehow is not.
    const r = await store.open(id, user, op, action, request.role ?? 'viewer');
    const owner = r.kind === 'ok' ? r.entry.owner : r.owner;
    if (owner !== undefined && owner !== user) request.auditParties = { ...request.auditParties, owner };
    if (r.kind === 'none') throw notFound();
    if (r.kind === 'forbidden') throw forbidden(r.access, action, r.owner);
    return { entry: r.entry, access: r.access };
  };
  return open;
}
