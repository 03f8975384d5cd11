import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ZodApp } from '../app-types.js';
import type { Clock } from '../options.js';
import { normaliseUsername, type Role } from '../auth/accounts.js';
import { ApiError, errorSchema, notFound } from '../errors.js';
import { SHARE_ROLES } from './acl.js';
import { datasetLoader } from './load.js';
import { idParams, sharesView } from './schemas.js';
import type { DatasetEntry, DatasetStore } from './store.js';
import { sharesView as sharesOf } from './views.js';

/** How recent a proof of identity breaking the glass needs. */
const REAUTH_WINDOW_MS = 5 * 60_000;

/** One answer for an unknown, disabled or malformed name: the owner learns no more than "not someone you can share with". */
const noSuchUser = (name: string) =>
  new ApiError(
    400,
    'NO_SUCH_USER',
    `there is no active account named "${name.slice(0, 64)}" to share with; check the name with your administrator`,
  );

/**
 * Sharing a dataset (multi-user mode): the owner lists, grants and revokes; everyone the dataset
 * is shared with can see the list (it is also in GET /location: who can reach the data).
 * Shares live in memory with the dataset and end with it (delete, expiry, shutdown).
 */
export function shareRoutes(
  app: ZodApp,
  o: {
    store: DatasetStore;
    /** The role of an enabled account by name; undefined in single-user mode (no sharing). */
    shareable: ((name: string) => Role | undefined) | undefined;
    clock: Clock;
  },
): void {
  const open = datasetLoader(o.store);
  const view = (e: DatasetEntry) => ({
    owner: e.owner,
    sharing: o.shareable !== undefined,
    shares: sharesOf(e),
  });
  const unavailable = () =>
    new ApiError(
      400,
      'SHARING_UNAVAILABLE',
      'this server runs for one user (no accounts), so there is no one to share with; start it with --auth local to share datasets',
    );
  const audited = (request: FastifyRequest, subject: string) => {
    request.auditParties = { ...request.auditParties, subject };
  };

  app.get(
    '/api/datasets/:id/shares',
    {
      config: { access: 'user' },
      schema: {
        summary:
          'Who the dataset is shared with, and as what (its owner and everyone it is shared with may ask)',
        params: idParams,
        response: { 200: sharesView, 404: errorSchema },
      },
    },
    async (request) => view((await open(request, request.params.id, 'shares.read')).entry),
  );

  app.post(
    '/api/datasets/:id/shares',
    {
      config: { access: 'user' },
      schema: {
        summary:
          'Share the dataset with a user as `viewer` (view and export) or `editor` (also change the recipe), or change their role; owner only. 400 NO_SUCH_USER for an unknown or disabled account',
        params: idParams,
        body: z.strictObject({ user: z.string().min(1).max(256), role: z.enum(SHARE_ROLES) }),
        response: { 200: sharesView, 400: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const { entry: e } = await open(request, request.params.id, 'share', 'manage');
      if (!o.shareable) throw unavailable();
      const name = normaliseUsername(request.body.user);
      const { role } = request.body;
      const accountRole = o.shareable(name);
      if (accountRole === undefined) throw noSuchUser(name);
      audited(request, name);
      if (name === e.owner)
        throw new ApiError(400, 'SHARE_WITH_OWNER', 'you own this dataset; share it with someone else');
      if (role === 'editor' && accountRole === 'viewer')
        throw new ApiError(
          400,
          'SHARE_ROLE',
          `${name} has a viewer account, which can only view; share it with them as viewer`,
        );
      o.store.share(e, name, role, request.session!.user);
      request.log.info({ op: 'dataset.share', dataset: e.id, role }, 'dataset shared');
      return view(e);
    },
  );

  app.post(
    '/api/datasets/:id/break-glass',
    {
      // The role check lets administrators only; the dataset's own check is not asked (they
      // have no access): an unknown id is the same 404 as anywhere.
      config: { access: 'user', minRole: 'admin' },
      schema: {
        summary:
          "Break the glass: an administrator views someone else's dataset for 15 minutes, after re-authenticating (POST /api/auth/reauth, at most 5 minutes before) and giving a reason; the owner sees it in the dataset's shares and accesses",
        params: idParams,
        body: z.strictObject({
          reason: z
            .string()
            .trim()
            .min(10, 'say why, in at least 10 characters')
            .max(500, 'must be at most 500 characters'),
        }),
        response: { 200: sharesView, 400: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (request) => {
      if (!o.shareable) throw unavailable();
      const s = request.session!;
      const admin = s.user;
      if (o.clock() - s.authAt > REAUTH_WINDOW_MS)
        throw new ApiError(
          403,
          'REAUTH_REQUIRED',
          'breaking the glass needs a recent proof that it is you: enter your password again (POST /api/auth/reauth; with single sign-on, sign out and in again) and retry within 5 minutes',
        );
      const peek = await o.store.get(request.params.id, admin, 'breakglass.check');
      if (peek) throw new ApiError(400, 'BREAK_GLASS_NOT_NEEDED', 'you can already open this dataset');
      const e = o.store.breakGlass(request.params.id, admin, request.body.reason);
      if (!e) throw notFound();
      request.auditParties = { ...request.auditParties, owner: e.owner };
      request.log.warn({ op: 'dataset.breakglass', dataset: e.id }, 'an administrator broke the glass');
      return view(e);
    },
  );

  app.delete(
    '/api/datasets/:id/shares/:user',
    {
      config: { access: 'user' },
      schema: {
        summary:
          'Revoke a user’s share at once (their next request gets 404); owner only. Revoking a share that does not exist changes nothing',
        params: idParams.extend({ user: z.string().min(1).max(256) }),
        response: { 200: sharesView, 403: errorSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const { entry: e } = await open(request, request.params.id, 'unshare', 'manage');
      const name = normaliseUsername(request.params.user);
      if (e.shares.has(name)) audited(request, name);
      const revoked = o.store.unshare(e, name);
      request.log.info({ op: 'dataset.unshare', dataset: e.id, revoked }, 'dataset share revoked');
      return view(e);
    },
  );
}
