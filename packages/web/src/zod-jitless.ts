import { z } from 'zod';

// zod compiles fast parsers with new Function() unless told not to, and the CSP forbids eval.
// Imported first by main.tsx, so it runs before any module that defines or uses a schema.
z.config({ jitless: true });
