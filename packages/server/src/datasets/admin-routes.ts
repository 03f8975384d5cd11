import { z } from 'zod';
import type { ZodApp } from '../app-types.js';
import type { DatasetStore } from './store.js';

const heldDataset = z.object({
  id: z.string(),
  owner: z.string(),
  rows: z.number(),
  columns: z.number(),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** How many users it is shared with (break-glass views included). */
  shares: z.number(),
});

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * What an administrator may know of every dataset in memory: who owns it, how big, until when —
 * never its name, columns or cells. Opening one that is not theirs is break-glass
 * (POST /api/datasets/:id/break-glass).
 */
export function adminRoutes(app: ZodApp, o: { store: DatasetStore }): void {
  app.get(
    '/api/admin/datasets',
    {
      config: { access: 'user', minRole: 'admin' },
      schema: {
        summary:
          'Every dataset this server holds, for its administrators: id, owner, size and expiry only (no names, columns or cells)',
        response: { 200: z.object({ datasets: z.array(heldDataset) }) },
      },
    },
    async () => ({
      datasets: o.store.held().map((e) => ({
        id: e.id,
        owner: e.owner,
        rows: e.data.rowCount,
        columns: e.data.columns.length,
        createdAt: iso(e.createdAt),
        expiresAt: iso(o.store.expiresAt(e)),
        shares: e.shares.size,
      })),
    }),
  );
}
