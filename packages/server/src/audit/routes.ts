import { z } from 'zod';
import type { ZodApp } from '../app-types.js';
import type { Session } from '../auth/sessions.js';
import { errorSchema } from '../errors.js';
import type { AuditLog } from './log.js';

export const MAX_AUDIT_PAGE = 500;

const eventSchema = z.object({
  seq: z.number().int(),
  time: z.string(),
  actor: z.string(),
  actorKind: z.enum(['user', 'anonymous', 'system']),
  action: z.string(),
  target: z.string().nullable(),
  result: z.enum(['ok', 'denied', 'error']),
  status: z.number().int().nullable(),
  route: z.string().nullable(),
  /** The user a share was granted to or revoked from; null for other events. */
  subject: z.string().nullable(),
});

/**
 * Whose events a session may read: `own` (what they did, and what was done to their datasets
 * and account) or `all` (administrators in multi-user mode: app.ts passes the scope).
 */
export type AuditScope = (session: Session) => 'own' | 'all';

export const ownEventsOnly: AuditScope = () => 'own';

/** `GET /api/audit?before=&limit=`: the caller's audit events, newest first. */
export function auditRoute(app: ZodApp, o: { log: AuditLog; scope?: AuditScope }): void {
  const scope = o.scope ?? ownEventsOnly;
  app.get(
    '/api/audit',
    {
      config: { access: 'user' },
      schema: {
        summary:
          "The audit log: the caller's own events, events on their datasets (the server's purges, use by the people they shared them with, refused attempts) and shares granted to or revoked from them — an administrator's, everyone's — newest first. Page with `before` = the previous page's `next`",
        querystring: z.object({
          before: z.coerce.number().int().min(1).optional(),
          limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).default(50),
        }),
        response: {
          200: z.object({
            events: z.array(eventSchema),
            /** Pass as `before` for the next (older) page; null on the last page. */
            next: z.number().int().nullable(),
          }),
          400: errorSchema,
        },
      },
    },
    async (request) => {
      const s = request.session!;
      const { before, limit } = request.query;
      const rows = o.log.list({
        ...(scope(s) === 'own' ? { user: s.user } : {}),
        ...(before !== undefined ? { before } : {}),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      return {
        events: page.map((r) => ({
          seq: r.seq,
          time: r.time,
          actor: r.actor,
          actorKind: r.actorKind,
          action: r.action,
          target: r.target,
          result: r.result,
          status: r.status,
          route: r.route,
          subject: r.subject ?? null,
        })),
        next: rows.length > limit ? page[page.length - 1]!.seq : null,
      };
    },
  );
}
