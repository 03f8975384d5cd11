import { recipeJsonSchema } from '@tidyvault/core';
import { ALWAYS_ALLOWED, auditedAction, routeKey } from './audit/actions.js';

type Json = Record<string, unknown>;
/** What a route declares about who may call it (its `config`). */
export interface RouteAccess {
  public: boolean;
  minRole?: string;
}
type Operation = { responses?: Record<string, unknown>; requestBody?: unknown };

const ERROR: Json = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        step: { type: 'object', properties: { index: { type: 'integer' }, op: { type: 'string' } } },
        column: { type: 'string' },
        field: { type: 'string' },
        line: {
          type: 'integer',
          description: 'the line (CSV) or row of the file an upload limit was hit at',
        },
        setting: { type: 'string', description: 'the server setting that would allow it' },
        limit: { type: 'number', description: "that setting's value now" },
      },
    },
  },
};

const count = { type: 'integer', minimum: 0 };
const PROFILE: Json = {
  type: 'object',
  required: ['rows', 'columns'],
  properties: {
    rows: count,
    columns: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'type', 'nulls', 'blanks', 'distinct', 'topValues', 'inferredType'],
        properties: {
          name: { type: 'string' },
          type: { type: 'string' },
          nulls: count,
          blanks: count,
          distinct: count,
          minLength: { type: ['integer', 'null'] },
          maxLength: { type: ['integer', 'null'] },
          topValues: {
            type: 'array',
            items: {
              type: 'object',
              required: ['value', 'count'],
              properties: { value: { type: ['string', 'number', 'null'] }, count },
            },
          },
          inferredType: { type: 'string', enum: ['integer', 'number', 'date', 'boolean', 'text', 'empty'] },
          padded: count,
          mixedCase: count,
          typeShare: { type: ['number', 'null'] },
        },
      },
    },
  },
};

const CLUSTERS: Json = {
  type: 'object',
  required: ['column', 'method', 'clusters'],
  properties: {
    column: { type: 'string' },
    method: { type: 'string' },
    clusters: {
      type: 'array',
      description: 'clusters of two or more distinct values, largest first',
      items: {
        type: 'object',
        required: ['values', 'suggested'],
        properties: {
          values: {
            type: 'array',
            items: {
              type: 'object',
              required: ['value', 'count'],
              properties: { value: { type: 'string' }, count },
            },
          },
          suggested: { type: 'string' },
        },
      },
    },
  },
};

const refTo = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: refTo('Error') } },
});
const binary = { type: 'string', format: 'binary' };
const CHANGES = new Set(['post', 'put', 'patch', 'delete']);

/** The recipe's JSON Schema as components: its $defs become schemas of their own. */
function recipeComponents(): Record<string, unknown> {
  const { $defs = {}, $schema: _s, $id: _i, ...recipe } = recipeJsonSchema() as Json & { $defs?: Json };
  const named = (key: string) => `Recipe_${key.replace(/^_+/, '')}`;
  const rewrite = (v: unknown): unknown =>
    typeof v === 'string' && v.startsWith('#/$defs/')
      ? `#/components/schemas/${named(v.slice('#/$defs/'.length))}`
      : Array.isArray(v)
        ? v.map(rewrite)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rewrite(x)]))
          : v;
  const out: Record<string, unknown> = { Recipe: rewrite(recipe) };
  out.Step = (out.Recipe as { properties: { steps: { items: unknown } } }).properties.steps.items;
  for (const [k, v] of Object.entries($defs)) out[named(k)] = rewrite(v);
  return out;
}

/**
 * What the route schemas alone do not say: the answers every route can give (no session, a
 * refused state change, an unknown id, a Host not allowed), the bodies read outside zod (the
 * upload's multipart part, the step and the recipe, checked by core with better messages),
 * the export's file types and the login link's redirect.
 */
export function completeDocument(doc: Json, routes: ReadonlyMap<string, RouteAccess>): Json {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Operation>>;
  for (const [path, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const responses = (op.responses ??= {});
      const add = (status: string, description: string) => {
        responses[status] ??= errorResponse(description);
      };
      const access = routes.get(`${method.toUpperCase()} ${path}`);
      const changes = CHANGES.has(method);
      const forbidden: string[] = [];
      add('421', 'HOST_NOT_ALLOWED: the Host header names no allowed host (DNS-rebinding defence)');
      if (path !== '/healthz')
        forbidden.push(
          'PROXY_REQUIRED: behind --trust-proxy, the request did not come through the TLS proxy',
        );
      if (changes) {
        forbidden.push(
          'CSRF_TOKEN, CSRF_ORIGIN or CSRF_CROSS_SITE: the state change lacks the CSRF header or comes from another site',
          'ROLE_FORBIDDEN / DATASET_FORBIDDEN: the role or share does not allow it',
        );
        if (method !== 'delete') add('415', 'the body is not of the type the route reads');
      }
      if (path.includes('{'))
        add(
          '414',
          'URI_TOO_LONG: a part of the URL path is over 100 characters (refused before any route is chosen, whatever the id)',
        );
      if (changes && method !== 'delete' && path !== '/api/datasets')
        add('413', 'BODY_TOO_LARGE: the JSON body is over 1 MiB');
      for (const [status, response] of Object.entries(responses))
        if (status === '204') delete (response as { content?: unknown }).content;
      const fastifyPath = path.replace(/\{(\w+)\}/g, ':$1');
      const key = routeKey(method.toUpperCase(), fastifyPath);
      if (auditedAction(method.toUpperCase(), fastifyPath) !== undefined && !ALWAYS_ALLOWED.has(key))
        add('503', 'AUDIT_UNAVAILABLE: the audit log cannot be written, so the request is refused');
      if (!access?.public) {
        add('401', 'UNAUTHENTICATED: no valid session');
        if (path.includes('{id}')) {
          add('404', 'NOT_FOUND: no such dataset, or not one of yours (the same answer)');
          add('507', 'OUT_OF_MEMORY: the engine has no memory left for this');
        }
        if (!changes && access?.minRole !== undefined && access.minRole !== 'viewer')
          forbidden.push(
            `ROLE_FORBIDDEN: only ${access.minRole === 'admin' ? 'an administrator' : 'a member'} can do this`,
          );
      }
      if (forbidden.length > 0) add('403', forbidden.join('; or '));
    }
  }
  const op = (path: string, method: string): Operation | undefined => paths[path]?.[method];
  const upload = op('/api/datasets', 'post');
  if (upload)
    upload.requestBody = {
      required: true,
      content: {
        'multipart/form-data': {
          schema: { type: 'object', required: ['file'], properties: { file: binary } },
        },
      },
    };
  const jsonBody = (name: string, schema: string) => ({
    required: true,
    content: {
      'application/json': {
        schema: { type: 'object', required: [name], properties: { [name]: refTo(schema) } },
      },
    },
  });
  const steps = op('/api/datasets/{id}/steps', 'post');
  if (steps) steps.requestBody = jsonBody('step', 'Step');
  const recipe = op('/api/datasets/{id}/recipe', 'put');
  if (recipe) recipe.requestBody = jsonBody('recipe', 'Recipe');
  // Signing out takes {"purge": false}, {"purge": true} or nothing at all.
  const logout = op('/api/auth/logout', 'post') as
    (Operation & { requestBody?: { required?: boolean } }) | undefined;
  if (logout?.requestBody) logout.requestBody.required = false;
  const exported = op('/api/datasets/{id}/export', 'get');
  if (exported?.responses) {
    const text = { schema: { type: 'string' } };
    exported.responses['200'] = {
      description: 'the file, in the format asked for (Content-Disposition names it)',
      content: {
        'text/csv': text,
        'text/tab-separated-values': text,
        'application/json': {
          schema: {
            type: 'array',
            description: 'one object per row, keyed by column name',
            items: { type: 'object' },
          },
        },
        'application/x-ndjson': text,
        'application/vnd.apache.parquet': { schema: binary },
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: binary },
      },
    };
  }
  const answers = (path: string, method: string, schema: unknown, description: string) => {
    const responses = op(path, method)?.responses;
    if (responses) responses['200'] = { description, content: { 'application/json': { schema } } };
  };
  answers('/api/datasets/{id}/profile', 'get', refTo('Profile'), 'the profile of every column');
  answers('/api/datasets/{id}/cluster', 'post', refTo('Clusters'), 'the clusters found');
  answers('/api/datasets/{id}/recipe', 'get', refTo('Recipe'), 'the current recipe (recipe v1)');
  const token = op('/auth/token', 'get');
  if (token?.responses) {
    token.responses['303'] = {
      description: 'signed in: the session cookie is set and the browser is sent on to /',
      headers: { 'Set-Cookie': { schema: { type: 'string' } }, Location: { schema: { type: 'string' } } },
    };
    token.responses['400'] ??= errorResponse('BAD_REQUEST: no token, or not one of this server’s shape');
  }
  const components = (doc.components ?? {}) as { schemas?: Record<string, unknown> };
  components.schemas = {
    ...(components.schemas ?? {}),
    Error: ERROR,
    Profile: PROFILE,
    Clusters: CLUSTERS,
    ...recipeComponents(),
  };
  return { ...doc, components };
}
