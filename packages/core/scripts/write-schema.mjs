// Regenerates recipe.schema.json from the zod schema (run after `npm run build`).
import fs from 'node:fs';
import { recipeJsonSchema } from '../dist/index.js';

const file = new URL('../recipe.schema.json', import.meta.url);
fs.writeFileSync(file, JSON.stringify(recipeJsonSchema(), null, 2) + '\n');
console.error(`wrote ${file.pathname}`);
