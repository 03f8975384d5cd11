import fastifySwagger from '@fastify/swagger';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { ZodApp } from './app-types.js';
import { completeDocument } from './openapi-document.js';

/** OpenAPI 3 generated from the same zod schemas that validate the routes. */
export async function registerOpenApi(app: ZodApp): Promise<void> {
  // Routes anyone may call (no session): their operations list no 401.
  const publicPaths = new Set<string>();
  app.addHook('onRoute', (route) => {
    if ((route.config as { access?: string } | undefined)?.access !== 'public') return;
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    for (const m of [route.method].flat()) publicPaths.add(`${m} ${path}`);
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tidyvault server API',
        version: '0.1.0',
        description:
          'Errors are {error: {code, message, step?, column?}}. State changes need the x-tidyvault-csrf header from GET /api/auth/me.',
      },
    },
    transform: jsonSchemaTransform,
    transformObject: (d) =>
      completeDocument((d as { openapiObject: Record<string, unknown> }).openapiObject, publicPaths),
  });
}

export function openApiRoute(app: ZodApp): void {
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
}
