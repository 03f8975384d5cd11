import { z } from 'zod';
import { recipeSchema } from './schema.js';

/** The published JSON Schema of recipe v1 (checked in as recipe.schema.json; a test keeps it fresh). */
export function recipeJsonSchema(): unknown {
  return {
    ...z.toJSONSchema(recipeSchema, { target: 'draft-2020-12' }),
    $id: 'https://tidyvault.invalid/schema/recipe-v1.json',
    title: 'Tidyvault recipe v1',
  };
}
