import { z } from 'zod';

// core parses recipes with zod, which compiles parsers with new Function() unless told not to;
// the CSP forbids eval. Imported first, as packages/web does.
z.config({ jitless: true });
