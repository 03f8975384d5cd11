import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import { LOCAL_USER } from '../auth/routes.js';
import { ALWAYS_ALLOWED, actionFor, auditedAction, resultOf, routeKey } from './actions.js';
import type { AuditEvent, AuditLog } from './log.js';

/** Dataset ids are 128-bit hex; anything else in `:id` is not stored (it could be any text). */
const DATASET_ID = /^[0-9a-f]{32}$/;
/** Longest actor name stored; longer ones are cut (user names are far shorter). */
const MAX_NAME = 256;

const datasetId = (v: unknown): string | null => (typeof v === 'string' && DATASET_ID.test(v) ? v : null);
const userName = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v.slice(0, MAX_NAME) : null;

/**
 * Writes audit records for the app and decides what a failed write means.
 *
 * A record that cannot be written is not silent: the server log gets an error (the SQLite error
 * code and how many records are lost so far, never the record), and the log is marked broken.
 * The request it belonged to has already been answered (records are written once the response
 * is sent, when its status is known). Every later audited request is refused with 503
 * AUDIT_UNAVAILABLE until a write works again, so at most the requests in flight go unrecorded,
 * and the first record written after the failure is an `audit_gap` naming how many were lost.
 * Logging out and deleting a dataset are never refused: refusing them would keep data longer.
 */
export class AuditRecorder {
  private lost = 0;
  private lastError: unknown;
  constructor(
    readonly log: AuditLog,
    private readonly logger: FastifyBaseLogger,
  ) {
    if (log.triggersRestored.length > 0)
      logger.warn(
        { op: 'audit.triggers', restored: log.triggersRestored },
        "the audit log's append-only triggers were missing (dropped by someone with the file) and were put back; the records verified",
      );
  }

  get healthy(): boolean {
    return this.lost === 0;
  }

  /** Append one record; false (and logged) when it could not be written. */
  record(e: AuditEvent): boolean {
    try {
      if (this.lost > 0 && !this.writeGap()) throw this.lastError;
      this.log.append(e);
      return true;
    } catch (err) {
      this.lost++;
      const code = (err as { code?: string }).code ?? (err as Error).name ?? 'Error';
      this.logger.error(
        { op: 'audit.write', failed: true, code, lost: this.lost },
        'audit record not written; audited requests are refused until the audit log can be written',
      );
      return false;
    }
  }

  /** After a failure: the gap record, which also proves the log can be written again. */
  private writeGap(): boolean {
    try {
      this.log.append({
        actor: 'system',
        actorKind: 'system',
        action: 'audit_gap',
        target: String(this.lost),
        result: 'error',
      });
      this.logger.warn({ op: 'audit.recovered', lost: this.lost }, 'audit log writable again');
      this.lost = 0;
      return true;
    } catch (e) {
      this.lastError = e;
      return false;
    }
  }

  /** True when audited requests may go ahead: the log is healthy, or writable again now. */
  recover(): boolean {
    return this.healthy || this.writeGap();
  }

  /** An event of the server itself (start, stop, a purge, an account change it saw). */
  system(action: string, o: { target?: string; owner?: string; subject?: string } = {}): boolean {
    const ok = this.record({
      actor: 'system',
      actorKind: 'system',
      action,
      target: o.target ?? null,
      owner: o.owner ?? null,
      ...(o.subject !== undefined ? { subject: o.subject } : {}),
      result: 'ok',
    });
    // A copy of the head outside the database at start and stop: cutting records off the end
    // and putting back an older anchor would not match what the server log says.
    if (ok && (action === 'server_start' || action === 'server_stop'))
      this.logger.info({ op: 'audit.head', ...this.log.last }, 'audit log head');
    return ok;
  }
}

const notes = new WeakMap<FastifyRequest, { user?: string; target?: string }>();

/**
 * For a route whose answer is a redirect or a page (no JSON to read): who it signed in, and the
 * record's target — for single sign-on, `oidc`, `oidc:account_created` or `oidc:<failure reason>`
 * (a fixed code; never a token, claim or provider message).
 */
export function noteForAudit(request: FastifyRequest, note: { user?: string; target?: string }): void {
  notes.set(request, note);
}

const unaudited = new WeakSet<FastifyRequest>();

/**
 * Leave `request` out of the audit log: a refusal repeated by the request-rate limit (it read and
 * changed nothing; the first refusal of each run is recorded), so a client hammering the API does
 * not grow the log at its request rate.
 */
export function leaveUnaudited(request: FastifyRequest): void {
  unaudited.add(request);
}

/** What a route's own answer says that the request does not: a new dataset's id, who signed in. */
const CAPTURE: Record<string, 'id' | 'user'> = {
  'POST /api/datasets': 'id',
  'POST /api/datasets/import/postgres': 'id',
  'POST /api/auth/login': 'user',
  'POST /api/auth/setup': 'user',
};

/**
 * One place records every request to the dataset, auth and audit routes, from the route pattern,
 * the `:id` parameter, the session and the status only: no route needs to know about auditing,
 * and nothing from the URL's query, the body or the file is ever read. (The only response bodies
 * read are the new dataset's id and the signed-in user's name; see CAPTURE.)
 */
export function registerAuditHooks(app: FastifyInstance, recorder: AuditRecorder): void {
  const captured = new WeakMap<FastifyRequest, string>();

  // Fail closed: while records cannot be written, audited requests are refused.
  app.addHook('onRequest', async (request, reply) => {
    if (recorder.healthy) return;
    const url = request.routeOptions.url;
    if (auditedAction(request.method, url) === undefined) return;
    if (ALWAYS_ALLOWED.has(routeKey(request.method, url!))) return;
    if (recorder.recover()) return;
    return reply.code(503).send({
      error: {
        code: 'AUDIT_UNAVAILABLE',
        message: 'the audit log cannot be written, so this request is refused; the server log says why',
      },
    });
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const url = request.routeOptions.url;
    const what = url === undefined ? undefined : CAPTURE[routeKey(request.method, url)];
    if (what && reply.statusCode < 300 && typeof payload === 'string') {
      try {
        const v = (JSON.parse(payload) as Record<string, unknown>)[what];
        const ok = what === 'id' ? datasetId(v) : userName(v);
        if (ok !== null) captured.set(request, ok);
      } catch {
        // Not JSON: nothing to take.
      }
    }
    return payload;
  });

  const recorded = new WeakSet<FastifyRequest>();
  const write = (request: FastifyRequest, status: number) => {
    const url = request.routeOptions.url;
    if (url === undefined || recorded.has(request) || unaudited.has(request)) return;
    recorded.add(request);
    const action = actionFor(request.method, url, status);
    if (action === undefined) return;
    const key = routeKey(request.method, url);
    const signedIn =
      request.session?.user ??
      (status < 400 && key === 'GET /auth/token' ? LOCAL_USER : undefined) ??
      (CAPTURE[key] === 'user' ? captured.get(request) : undefined) ??
      userName(notes.get(request)?.user) ??
      undefined;
    const target =
      (CAPTURE[key] === 'id'
        ? captured.get(request)
        : datasetId(request.params && (request.params as { id?: unknown }).id)) ??
      notes.get(request)?.target?.slice(0, MAX_NAME);
    // Set by the dataset routes (datasets/load.ts, shares.ts): whose dataset it was when not the
    // actor's, and the user a share was granted to or revoked from.
    const parties = request.auditParties;
    recorder.record({
      actor: signedIn === undefined ? 'anonymous' : signedIn.slice(0, MAX_NAME),
      actorKind: signedIn === undefined ? 'anonymous' : 'user',
      action,
      target: target ?? null,
      owner: userName(parties?.owner),
      subject: userName(parties?.subject),
      result: resultOf(status),
      status,
      route: key,
    });
  };

  app.addHook('onResponse', async (request, reply) => write(request, reply.statusCode));
  // A client gone before its answer (an upload cut off, or one that left while its file loaded)
  // gets none, so onResponse never runs: recorded as 499, nginx's "client closed request".
  app.addHook('onRequest', async (request, reply) => {
    // Once the answer has begun its status is known (a streamed export can close before
    // onResponse runs); the set above keeps each request to one record.
    reply.raw.once('close', () => write(request, reply.raw.headersSent ? reply.statusCode : 499));
  });
}
