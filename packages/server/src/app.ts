import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import Fastify, { LogController, type FastifyReply } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ZodApp } from './app-types.js';
import type { AuditLog } from './audit/log.js';
import { AuditRecorder, registerAuditHooks } from './audit/record.js';
import { auditRoute } from './audit/routes.js';
import { ChangeWatch, type WatchedChange } from './audit/change-watch.js';
import { accountChanges, accountOf, knownAccounts, ownerActive } from './auth/account-changes.js';
import { secretChanges } from './secrets/changes.js';
import { prepareAuth } from './auth/mode.js';
import { SessionStore } from './auth/sessions.js';
import { duplicatesRoute } from './datasets/duplicates.js';
import { datasetRoutes } from './datasets/routes.js';
import { shareRoutes } from './datasets/shares.js';
import { EngineMemory } from './datasets/memory.js';
import { DatasetStore } from './datasets/store.js';
import { uploadRoute } from './datasets/upload.js';
import { MAX_WHERE_CHARS } from './datasets/view-filter.js';
import { registerErrorHandling } from './errors.js';
import { healthRoute, rootRoute } from './health.js';
import { logSerializers, registerRequestLog } from './logging.js';
import { Metrics, metricsRoute, registerMetrics } from './metrics.js';
import { openApiRoute, registerOpenApi } from './openapi.js';
import { postgresRoutes } from './postgres/routes.js';
import { resolveOptions, type ServerOptions } from './options.js';
import { registerAccessControl, type RouteInfo } from './security/access.js';
import { ApiRateLimit, registerApiRate } from './security/api-rate.js';
import { registerBodyDeadline } from './security/body-deadline.js';
import { registerClosingAnswer } from './security/closing.js';
import { registerCsrf } from './security/csrf.js';
import {
  answerClientError,
  closeUnreadBody,
  registerSecurityHeaders,
  setSecurityHeaders,
} from './security/headers.js';
import { UploadSlots } from './datasets/upload-slots.js';
import { registerHostCheck, registerProxyOnly } from './security/host-check.js';
import { registerRoleCheck } from './security/roles.js';
import { registerWebApp } from './web.js';
import { adminRoutes } from './datasets/admin-routes.js';

export interface TidyvaultApp {
  app: ZodApp;
  /** Every registered route with its declared access (for the deny-by-default test). */
  routes: RouteInfo[];
  store: DatasetStore;
  sessions: SessionStore;
  /** The audit log records are written to (options.audit, or one in memory). */
  audit: AuditLog;
  /** Issues the single-user login link's token (each call kills the previous one); throws with `auth: 'local'`. */
  issueLoginToken: () => string;
  /** `auth: 'local'` with no enabled administrator: a one-time setup token (15 min); else undefined. */
  issueSetupToken: () => string | undefined;
  /**
   * May the server connect to this host? Its configured data sources' (the secrets store's
   * PostgreSQL connections) and sign-in provider's hosts only; loopback is always allowed.
   */
  egressAllowed: (host: string) => boolean;
  /** Records and logs a connection the egress guard refused (host and port only). */
  egressBlocked: (host: string, port: number) => void;
}

const JSON_BODY_LIMIT = 1024 * 1024;
/** How often expired datasets are looked for (at most; `sweepIntervalMs` when shorter). */
const DATASET_SWEEP_MS = 1000;

/** The audit log's action for each way the server itself purges a dataset. */
const PURGE_ACTIONS = {
  expired: 'expiry_purge',
  owner_disabled: 'owner_disabled_purge',
  shutdown: 'shutdown_purge',
  logout: 'logout_purge',
} as const;
/**
 * Request line plus headers (Node's default is 16 KiB): room for a `where` view filter of
 * MAX_WHERE_CHARS in a GET query, each character percent-encoded (3 bytes), and the headers.
 */
export const MAX_HEADER_BYTES = 3 * MAX_WHERE_CHARS + 16 * 1024;

export async function buildApp(options: ServerOptions): Promise<TidyvaultApp> {
  const o = resolveOptions(options);
  const app = Fastify({
    logger: {
      level: o.logLevel,
      serializers: logSerializers,
      ...(o.logStream ? { stream: o.logStream } : {}),
    },
    // Fastify's own request lines carry raw URLs (login token, column names): ours log routes only.
    logController: new LogController({ disableRequestLogging: true }),
    // A missing Host gets the host check's 421 (with every security header), not Node's bare 400.
    http: { maxHeaderSize: MAX_HEADER_BYTES, requireHostHeader: false },
    ...(o.tls
      ? {
          https: {
            cert: o.tls.cert,
            key: o.tls.key,
            minVersion: 'TLSv1.2' as const,
            maxHeaderSize: MAX_HEADER_BYTES,
            requireHostHeader: false,
          },
        }
      : {}),
    ...(o.trustProxy !== undefined ? { trustProxy: o.trustProxy } : {}),
    bodyLimit: JSON_BODY_LIMIT,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // No socket inactivity timeout: it also fires while a handler computes (a first profile, a
    // 10M-row load) and nothing has been sent yet, dropping the answer. Slow clients are cut off
    // by headersTimeout (headers) and requestTimeout (the whole request), idle ones by keepAlive.
    connectionTimeout: 0,
    requestTimeout: o.requestTimeoutMs,
    // No implicit HEAD twins: every route is one the code declares (HEAD of an export would run it).
    exposeHeadRoutes: false,
    keepAliveTimeout: 5_000,
    maxRequestsPerSocket: 1_000,
    // Answered by registerClosingAnswer instead, with the security headers.
    return503OnClosing: false,
    clientErrorHandler: (err, socket) => answerClientError(err, socket, { secure: o.secure }),
    // A URL the router cannot read: Fastify's own answer echoes the path and skips the hooks
    // that set the security headers.
    frameworkErrors: (error, request, reply) => {
      const status =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : error.code === 'FST_ERR_BAD_URL' ? 400 : 500;
      const body =
        status === 414
          ? { code: 'URI_TOO_LONG', message: 'a part of the URL path is too long' }
          : status === 400
            ? { code: 'BAD_URL', message: 'the URL path is not valid (a malformed percent-encoding)' }
            : { code: 'INTERNAL', message: 'internal error' };
      setSecurityHeaders(reply, { secure: o.secure, path: request.raw.url?.split('?')[0] ?? '' });
      closeUnreadBody(request.raw, reply);
      request.log.info({ code: body.code, status }, 'request refused');
      // The option's reply type is generic over no route; this one has a plain JSON body.
      return (reply as unknown as FastifyReply).code(status).send({ error: body });
    },
  }).withTypeProvider<ZodTypeProvider>() as ZodApp;
  // Slow-header (Slowloris) clients are cut off; Node's default is 60 s.
  app.server.headersTimeout = 30_000;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // text/plain is a "simple" cross-site content type; the API takes JSON and multipart only.
  app.removeContentTypeParser('text/plain');

  const auth = await prepareAuth(o);
  const sessions = new SessionStore({
    clock: o.clock,
    idleMs: o.sessionIdleMs,
    absoluteMs: o.sessionAbsoluteMs,
    secretKey: o.secretKey,
    ...(auth.sessionValid ? { valid: auth.sessionValid } : {}),
  });
  const memory = new EngineMemory(o.engine);
  const audit = new AuditRecorder(o.audit, app.log);
  const store = new DatasetStore({
    engine: o.engine,
    clock: o.clock,
    idleMs: o.datasetIdleMs,
    absoluteMs: o.datasetAbsoluteMs,
    memory,
    maxResidentBytes: o.maxResidentBytes,
    cacheRecipeStates: o.cacheRecipeStates,
    exportHoldMs: o.exportHoldMs,
    ...(auth.mode !== 'single' && o.accounts
      ? { ownerActive: ownerActive(o.accounts), accountOf: accountOf(o.accounts) }
      : {}),
    onMaterialise: (dataset, info) =>
      app.log.info({ op: 'dataset.materialise', dataset, ...info }, 'recipe state materialised'),
    // The code only: messages can quote cell values.
    onMaterialiseFailure: (dataset, e) =>
      app.log.warn(
        {
          op: 'dataset.materialise',
          dataset,
          failed: true,
          code: (e as { code?: string }).code ?? 'UNKNOWN',
        },
        'recipe state not materialised; reads run the recipe',
      ),
    onPurged: (e, reason) =>
      audit.system(PURGE_ACTIONS[reason], {
        target: e.id,
        owner: e.owner,
      }),
  });

  registerErrorHandling(app);
  registerClosingAnswer(app);
  registerHostCheck(app, o.allowedHosts);
  if (o.secure && !o.tls) registerProxyOnly(app);
  registerSecurityHeaders(app, { secure: o.secure });
  registerBodyDeadline(app, o.bodyDeadlineMs);
  registerRequestLog(app);
  const metrics = new Metrics();
  registerMetrics(app, metrics);
  await app.register(fastifyCookie);
  const routes = registerAccessControl(app, { sessions, secure: o.secure });
  if (o.apiRequestsPerMinute > 0) registerApiRate(app, new ApiRateLimit(o.apiRequestsPerMinute, o.clock));
  registerCsrf(app, { sessions });
  registerRoleCheck(app, { role: auth.role });
  registerAuditHooks(app, audit);
  await app.register(fastifyMultipart, {
    limits: { fileSize: o.maxUploadBytes, files: 1, fields: 5, parts: 6, fieldSize: 1024 },
    throwFileSizeLimit: true,
  });
  await registerOpenApi(app);

  healthRoute(app);
  // The web app's shell at `/` when there is one; otherwise the JSON landing route.
  if (o.webRoot !== undefined) registerWebApp(app, { root: o.webRoot });
  else rootRoute(app);
  openApiRoute(app);
  // Administrators read everyone's events (DESIGN.md: "own events (admins: all)"); in
  // single-user mode the one user reads their own, which is everything they did.
  auditRoute(app, {
    log: o.audit,
    scope: (s) => (auth.mode !== 'single' && auth.role(s) === 'admin' ? 'all' : 'own'),
  });
  auth.routes(app, sessions, { purgeOwned: (user) => store.purgeOwnedBy(user) });
  // Uploads and database imports share the slots, and the memory budget and each user's share.
  const admission = { store, maxResidentBytes: o.maxResidentBytes, maxUserBytes: o.maxUserBytes };
  const slots = new UploadSlots({ total: o.maxConcurrentUploads, perUser: o.maxUploadsPerUser });
  uploadRoute(app, {
    engine: o.engine,
    memory,
    store,
    maxUploadBytes: o.maxUploadBytes,
    slots,
    pace: o.uploadPace,
    admission,
    limits: { maxColumns: o.maxColumns, maxCellBytes: o.maxCellBytes },
  });
  duplicatesRoute(app, { engine: o.engine, store });
  postgresRoutes(app, {
    engine: o.engine,
    memory,
    store,
    secrets: o.secrets,
    maxUploadBytes: o.maxUploadBytes,
    slots,
    admission,
    limits: { maxColumns: o.maxColumns, maxCellBytes: o.maxCellBytes },
  });
  shareRoutes(app, { store, shareable: auth.shareable, clock: o.clock });
  adminRoutes(app, { store });
  metricsRoute(app, { metrics, engine: o.engine, datasets: () => store.size });
  datasetRoutes(app, {
    engine: o.engine,
    store,
    memory,
    spillDirectory: o.engine.settings['temp_directory'] ?? '',
  });

  // Accounts and secrets changed by the CLI while the server runs, audited when next seen.
  const record = (c: WatchedChange) => audit.system(c.action, c.target === null ? {} : { target: c.target });
  // An account's own changes are shown to its user too (GET /api/audit lists their subject's).
  const recordAccount = (c: WatchedChange) =>
    audit.system(c.action, c.target === null ? {} : { target: c.target, subject: c.target });
  const accounts = o.accounts;
  const secrets = o.secrets;
  const watches = [
    ...(auth.mode !== 'single' && accounts
      ? [new ChangeWatch(accounts.file, () => knownAccounts(accounts), accountChanges, recordAccount)]
      : []),
    ...(secrets ? [new ChangeWatch(secrets.file, () => secrets.snapshot(), secretChanges, record)] : []),
  ];
  if (watches.length > 0) app.addHook('onRequest', async () => watches.forEach((w) => w.check()));

  let timer: NodeJS.Timeout | undefined;
  let expiryTimer: NodeJS.Timeout | undefined;
  let sweeping = false;
  const sweep = (o: { owners: boolean }) => {
    if (sweeping) return;
    sweeping = true;
    store
      .sweep(o)
      .then(
        (n) => {
          if (n > 0) app.log.info({ op: 'dataset.expire', count: n }, 'expired datasets purged');
        },
        () => app.log.error({ op: 'dataset.expire' }, 'expiry sweep failed'),
      )
      .finally(() => (sweeping = false));
  };
  app.addHook('onReady', async () => {
    audit.system('server_start');
    if (o.engine.spillSwept.length > 0)
      app.log.warn(
        { op: 'storage.spill_swept', files: o.engine.spillSwept.length },
        'spill files left by a server that did not shut down cleanly were deleted',
      );
    if (!o.engine.staging.inRam)
      app.log.warn(
        { op: 'storage.staging_on_disk', folder: o.engine.staging.dir },
        'uploads and prepared exports are staged in a folder that is not RAM-backed (no tmpfs /dev/shm here): their bytes may stay on disk after the files are removed',
      );
    timer = setInterval(() => {
      for (const w of watches) w.check();
      sessions.sweep();
      auth.sweep();
      sweep({ owners: true });
    }, o.sweepIntervalMs);
    timer.unref();
    // Datasets leave memory within a second of expiring, not at the next minute's sweep: a pass
    // over the held datasets' times costs next to nothing (the owners' accounts are not read).
    expiryTimer = setInterval(() => sweep({ owners: false }), Math.min(o.sweepIntervalMs, DATASET_SWEEP_MS));
    expiryTimer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    if (expiryTimer) clearInterval(expiryTimer);
    await store.purgeAll();
    audit.system('server_stop');
    // One made here (no options.audit) is the app's to close; a given one is the caller's.
    if (options.audit === undefined) o.audit.close();
  });

  return {
    app,
    routes,
    store,
    sessions,
    audit: o.audit,
    issueLoginToken: auth.issueLoginToken,
    issueSetupToken: auth.issueSetupToken,
    egressAllowed: (host) => {
      const h = host.toLowerCase();
      if (auth.providerHosts().some((p) => p.toLowerCase() === h)) return true;
      return (o.secrets?.list() ?? []).some(
        (r) => r.kind === 'postgres' && r.settings.host.toLowerCase() === h,
      );
    },
    egressBlocked: (host, port) => {
      app.log.warn({ op: 'egress.blocked', host, port }, 'outgoing connection blocked');
      audit.system('egress_blocked', { target: `${host}:${port}` });
    },
  };
}
