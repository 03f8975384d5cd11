import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { recipeJsonSchema } from './json-schema.js';

describe('published JSON Schema', () => {
  it('matches the zod schema (run `npm run schema -w @tidyvault/core` after changing a step)', () => {
    const checkedIn = JSON.parse(
      fs.readFileSync(new URL('../../recipe.schema.json', import.meta.url), 'utf8'),
    );
    expect(checkedIn).toEqual(JSON.parse(JSON.stringify(recipeJsonSchema())));
  });
});
