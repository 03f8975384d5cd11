import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, upload, type Harness } from './test-support.js';

type Schema = Record<string, unknown>;

/**
 * The problems of `value` against `schema`: the JSON Schema keywords the published document uses
 * for bodies ($ref, type, const, enum, required, properties, additionalProperties: false, items,
 * anyOf, oneOf, allOf); bounds and patterns are not checked.
 */
function problems(doc: Schema, schema: Schema, value: unknown, at = '$'): string[] {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = (doc.components as { schemas: Record<string, Schema> }).schemas[name];
    if (!target) return [`${at}: no schema ${schema.$ref}`];
    return problems(doc, target, value, at);
  }
  const out: string[] = [];
  const typeOf = (v: unknown) =>
    v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;
  if (schema.type !== undefined) {
    const types = ([] as unknown[]).concat(schema.type);
    const t = typeOf(value);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number')))
      return [`${at}: ${t}, not ${types.join('|')}`];
  }
  if ('const' in schema && value !== schema.const) out.push(`${at}: not ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) out.push(`${at}: not one of the enum`);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key] as Schema[] | undefined;
    if (!options) continue;
    const fits = options.filter((o) => problems(doc, o, value, at).length === 0).length;
    if (key === 'anyOf' ? fits === 0 : fits !== 1) out.push(`${at}: fits ${fits} of ${key}`);
  }
  for (const s of (schema.allOf as Schema[] | undefined) ?? []) out.push(...problems(doc, s, value, at));
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required as string[] | undefined) ?? [])
      if (!(r in obj)) out.push(`${at}.${r}: missing`);
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) out.push(...problems(doc, props[k], v, `${at}.${k}`));
      else if (schema.additionalProperties === false) out.push(`${at}.${k}: not allowed`);
    }
  }
  if (Array.isArray(value) && schema.items)
    value.forEach((v, i) => out.push(...problems(doc, schema.items as Schema, v, `${at}[${i}]`)));
  return out;
}

describe('OpenAPI and the answers the routes give', () => {
  let h: Harness;
  let doc: Schema;
  let headers: Record<string, string>;
  let id: string;
  beforeAll(async () => {
    h = await harness();
    headers = (await h.login()).headers;
    doc = (await h.t.app.inject({ url: '/api/openapi.json' })).json();
    const res = await upload(h, headers, 'people.csv', 'name,city\nAnn,Paris\nann,paris\nBo,\n,Lyon\n');
    id = res.json().id as string;
    const step = await h.t.app.inject({
      method: 'POST',
      url: `/api/datasets/${id}/steps`,
      headers,
      payload: { step: { op: 'trim', columns: ['name'] } },
    });
    expect(step.statusCode).toBe(200);
  });
  afterAll(() => h.close());

  const operation = (path: string, method: string) =>
    (doc.paths as Record<string, Record<string, { responses: Record<string, Schema> }>>)[path]![method]!;
  const schemaOf = (path: string, method: string, status: string, type = 'application/json') =>
    (operation(path, method).responses[status]!.content as Record<string, { schema: Schema }>)[type]!.schema;

  it('describes the profile, the clusters, the recipe and a JSON export as they are sent', async () => {
    const cases: [string, string, string, object?][] = [
      ['/api/datasets/{id}/profile', 'get', `/api/datasets/${id}/profile`],
      [
        '/api/datasets/{id}/cluster',
        'post',
        `/api/datasets/${id}/cluster`,
        { column: 'name', method: 'fingerprint' },
      ],
      ['/api/datasets/{id}/recipe', 'get', `/api/datasets/${id}/recipe`],
      ['/api/datasets/{id}/export', 'get', `/api/datasets/${id}/export?format=json`],
    ];
    for (const [path, method, url, payload] of cases) {
      const res = await h.t.app.inject({ method: method.toUpperCase() as 'GET', url, headers, payload });
      expect(res.statusCode, url).toBe(200);
      const schema = schemaOf(path, method, '200');
      expect(Object.keys(schema).length, `${path}: an empty schema says nothing`).toBeGreaterThan(0);
      expect(problems(doc, schema, res.json()), url).toEqual([]);
    }
    // The checker does catch a wrong answer.
    expect(problems(doc, schemaOf('/api/datasets/{id}/export', 'get', '200'), 'a,b\n1,2\n')).not.toEqual([]);
    expect(problems(doc, schemaOf('/api/datasets/{id}/profile', 'get', '200'), { rows: 1 })).not.toEqual([]);
  });

  it('lists the refusals every request can meet: a body over 1 MiB, a path part over 100 characters', async () => {
    const big = await h.t.app.inject({
      method: 'POST',
      url: `/api/datasets/${id}/steps`,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({
        step: { op: 'mass-edit', column: 'name', edits: [{ from: ['x'.repeat(1_100_000)], to: 'y' }] },
      }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('BODY_TOO_LARGE');
    expect(Object.keys(operation('/api/datasets/{id}/steps', 'post').responses)).toContain('413');
    const long = await h.t.app.inject({ url: `/api/datasets/${'a'.repeat(101)}`, headers });
    expect(long.statusCode).toBe(414);
    expect(long.json().error.code).toBe('URI_TOO_LONG');
    expect(Object.keys(operation('/api/datasets/{id}', 'get').responses)).toContain('414');
  });

  it('gives a 204 no body, as the purge sends none', async () => {
    const res = await h.t.app.inject({ method: 'DELETE', url: `/api/datasets/${id}`, headers });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(operation('/api/datasets/{id}', 'delete').responses['204']).not.toHaveProperty('content');
    expect(operation('/api/auth/logout', 'post').responses['204']).not.toHaveProperty('content');
  });

  it('describes the error fields the server sends', async () => {
    const res = await upload(h, headers, 'wide.csv', 'a,b\n1,2,3\n');
    expect(res.statusCode).toBe(400);
    expect(problems(doc, schemaOf('/api/datasets', 'post', '400'), res.json())).toEqual([]);
    const fields = Object.keys(
      ((doc.components as { schemas: { Error: Schema } }).schemas.Error.properties as { error: Schema }).error
        .properties as object,
    );
    expect(fields).toEqual(
      expect.arrayContaining(['code', 'message', 'step', 'column', 'field', 'line', 'setting', 'limit']),
    );
  });
});
