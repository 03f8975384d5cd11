// Regenerates recipe.schema.json from the zod schema (run after `npm run build`), formatted as
// Prettier formats it, so `npm run lint` (prettier --check) accepts it.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import { recipeJsonSchema } from '../dist/index.js';

const file = fileURLToPath(new URL('../recipe.schema.json', import.meta.url));
const options = (await prettier.resolveConfig(file)) ?? {};
const text = await prettier.format(JSON.stringify(recipeJsonSchema()), { ...options, filepath: file });
fs.writeFileSync(file, text);
console.error(`wrote ${file}`);
