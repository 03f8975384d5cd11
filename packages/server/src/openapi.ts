import fastifySwagger from '@fastify/swagger';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { ZodApp } from './app-types.js';
import { completeDocument, type RouteAccess } from './openapi-document.js';

/** OpenAPI 3 generated from the same zod schemas that validate the routes. */
export async function registerOpenApi(app: ZodApp): Promise<void> {
  // Who may call each route: a public one lists no 401, an administrator's GET a 403.
  const routes = new Map<string, RouteAccess>();
  app.addHook('onRoute', (route) => {
    const config = route.config as { access?: string; minRole?: string } | undefined;
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    for (const m of [route.method].flat())
      routes.set(`${m} ${path}`, {
        public: config?.access === 'public',
        ...(config?.minRole !== undefined ? { minRole: config.minRole } : {}),
      });
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tidyvault server API',
        version: '0.1.0',
        description:
          'Errors are {error: {code, message, step?, column?, field?, line?, setting?, limit?}}. State changes need the x-tidyvault-csrf header from GET /api/auth/me.',
      },
    },
    transform: jsonSchemaTransform,
    transformObject: (d) =>
      completeDocument((d as { openapiObject: Record<string, unknown> }).openapiObject, routes),
  });
}

export function openApiRoute(app: ZodApp): void {
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
}
