import type { AuditResult } from './chain.js';

/**
 * Which requests the audit log records, by `METHOD route-pattern` (Fastify's `routeOptions.url`,
 * never the raw URL), and the action each one is. A route under /api/datasets or /api/auth that
 * is missing here is still recorded (`view` for GET, `change` otherwise), and a test fails until
 * it is added.
 */
export const AUDITED_ROUTES: Readonly<Record<string, string>> = {
  // Signing in and out.
  'GET /auth/token': 'login',
  'POST /api/auth/login': 'login',
  'POST /api/auth/setup': 'setup',
  'POST /api/auth/logout': 'logout',
  'POST /api/auth/reauth': 'reauth',
  // Single sign-on: the provider's redirect back is the sign-in (the reason of a failure is the target).
  'GET /auth/oidc/callback': 'login',
  // Datasets.
  'POST /api/datasets': 'upload',
  'POST /api/datasets/import/postgres': 'import',
  'GET /api/datasets': 'list',
  'GET /api/datasets/:id': 'view',
  'GET /api/datasets/:id/rows': 'view',
  'GET /api/datasets/:id/profile': 'view',
  'GET /api/datasets/:id/facet': 'view',
  'GET /api/datasets/:id/histogram': 'view',
  'GET /api/datasets/:id/recipe': 'view',
  'GET /api/datasets/:id/location': 'view',
  'POST /api/datasets/:id/cluster': 'view',
  'POST /api/datasets/:id/duplicates': 'view',
  'POST /api/datasets/:id/steps': 'step',
  'POST /api/datasets/:id/undo': 'undo',
  'POST /api/datasets/:id/redo': 'redo',
  'PUT /api/datasets/:id/recipe': 'recipe_replace',
  'GET /api/datasets/:id/export': 'export',
  'POST /api/datasets/:id/exports': 'export',
  'GET /api/datasets/:id/exports/:ticket': 'export_download',
  'POST /api/datasets/:id/export/postgres': 'export',
  'DELETE /api/datasets/:id': 'delete',
  // Sharing (multi-user mode): the record's subject is the user shared with or revoked.
  'GET /api/datasets/:id/shares': 'view',
  'POST /api/datasets/:id/shares': 'share',
  'DELETE /api/datasets/:id/shares/:user': 'unshare',
  // An administrator views someone else's dataset: the owner is recorded with it.
  'POST /api/datasets/:id/break-glass': 'breakglass',
  // An administrator's overview of every dataset held (no names or data).
  'GET /api/admin/datasets': 'admin_list',
  // The audit log itself: who read it.
  'GET /api/audit': 'audit_view',
};

/** Routes under the audited prefixes that are deliberately not recorded (no data, polled often). */
export const UNAUDITED_ROUTES: ReadonlySet<string> = new Set([
  'GET /api/auth/me',
  'GET /api/auth/mode',
  // Only redirects to the provider; the callback records how the sign-in ended.
  'GET /auth/oidc/login',
]);

const LOGIN_ROUTES = new Set(['GET /auth/token', 'POST /api/auth/login', 'GET /auth/oidc/callback']);

/**
 * Requests that go through even when the audit log cannot be written: they end a session or
 * delete data, and refusing them would keep data around longer. They are counted in the gap.
 */
export const ALWAYS_ALLOWED: ReadonlySet<string> = new Set([
  'POST /api/auth/logout',
  'DELETE /api/datasets/:id',
]);

const AUDITED_PREFIXES = ['/api/datasets', '/api/auth/', '/auth/'];

export const routeKey = (method: string, url: string): string => `${method} ${url}`;

/** The action for a route, or undefined when requests to it are not recorded. */
export function auditedAction(method: string, url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const key = routeKey(method, url);
  const known = AUDITED_ROUTES[key];
  if (known !== undefined) return known;
  if (UNAUDITED_ROUTES.has(key)) return undefined;
  if (AUDITED_PREFIXES.some((p) => url.startsWith(p))) return method === 'GET' ? 'view' : 'change';
  return undefined;
}

/** ok below 400; denied for 401, 403, 404 and 429; error otherwise. */
export function resultOf(status: number): AuditResult {
  if (status < 400) return 'ok';
  if (status === 401 || status === 403 || status === 404 || status === 429) return 'denied';
  return 'error';
}

/**
 * The action a request is recorded as: a failed sign-in is `login_failed`; a refusal of access
 * (401, 403, and 404 on a dataset route, which is what unknown and other people's datasets get)
 * is `access_denied`; anything else is the route's action with its result.
 */
export function actionFor(method: string, url: string, status: number): string | undefined {
  const action = auditedAction(method, url);
  if (action === undefined) return undefined;
  const key = routeKey(method, url);
  if (LOGIN_ROUTES.has(key)) return status < 400 ? 'login' : 'login_failed';
  if (status === 401 || status === 403) return 'access_denied';
  if (status === 404 && url.startsWith('/api/datasets')) return 'access_denied';
  return action;
}
