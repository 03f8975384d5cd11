import fastifySwagger from '@fastify/swagger';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { ZodApp } from './app-types.js';

/** OpenAPI 3 generated from the same zod schemas that validate the routes. */
export async function registerOpenApi(app: ZodApp): Promise<void> {
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
  });
}

export function openApiRoute(app: ZodApp): void {
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
}
