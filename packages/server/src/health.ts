import { z } from 'zod';
import type { ZodApp } from './app-types.js';

export function healthRoute(app: ZodApp): void {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: { summary: 'Liveness', response: { 200: z.object({ ok: z.literal(true) }) } },
    },
    async () => ({ ok: true as const }),
  );
}

/** Where the login link lands when no web app is served: says who is signed in and where the API is. */
export function rootRoute(app: ZodApp): void {
  app.get(
    '/',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Landing page after sign-in',
        response: { 200: z.object({ app: z.literal('tidyvault'), user: z.string(), api: z.string() }) },
      },
    },
    async (request) => ({ app: 'tidyvault' as const, user: request.session!.user, api: '/api/openapi.json' }),
  );
}
