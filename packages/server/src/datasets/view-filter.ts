import {
  parseStep,
  TidyvaultError,
  viewFilterError,
  viewFilterMessage,
  type LoadedDataset,
  type Recipe,
  type Step,
} from '@tidyvault/core';
import type { NodeEngine } from '@tidyvault/engine-node';
import { z } from 'zod';

/** Longest `where` query value, in characters. */
export const MAX_WHERE_CHARS = 100 * 1024;
/**
 * Deepest nesting of the `where` JSON (objects and arrays). A facet filter is a few levels deep;
 * thousands of levels would exhaust the stack in the parser and compiler, and DuckDB refuses
 * expressions over 1,000 levels anyway.
 */
export const MAX_WHERE_DEPTH = 64;

export const whereQuery = z
  .string()
  .max(MAX_WHERE_CHARS, `must be at most ${MAX_WHERE_CHARS} characters`)
  .optional()
  .describe(
    'A view filter: JSON of a filter-rows `where` condition (docs/RECIPE.md), applied after the recipe and never recorded in it',
  );

export type ViewFilter = Extract<Step, { op: 'filter-rows' }>;

/** Nesting depth of parsed JSON, counted without recursion. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > deepest) deepest = d + 1;
    if (deepest > MAX_WHERE_DEPTH) break;
    for (const x of Object.values(v)) stack.push([x, d + 1]);
  }
  return deepest;
}

const invalid = (message: string) => new TidyvaultError('RECIPE_INVALID', message, { field: 'where' });

/**
 * The `where` query as the transient step `{op: 'filter-rows', where}`, checked by core's own
 * step parser (same messages as a step), or undefined without one.
 */
export function parseViewFilter(where: string | undefined): ViewFilter | undefined {
  if (where === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(where);
  } catch (e) {
    throw invalid(`where is not valid JSON: ${(e as Error).message}`);
  }
  if (depthOf(json) > MAX_WHERE_DEPTH)
    throw invalid(`where is nested more than ${MAX_WHERE_DEPTH} levels deep`);
  try {
    return parseStep({ op: 'filter-rows', where: json }) as ViewFilter;
  } catch (e) {
    if (e instanceof TidyvaultError)
      throw invalid(viewFilterMessage(e.message.replace(/^invalid step: /, '')));
    throw e;
  }
}

/**
 * The view filter checked against the recipe's output, as the step it would be (the same 422 and
 * codes), worded as the filter and located at the query's `where`.
 */
export async function validateViewFilter(
  engine: NodeEngine,
  data: LoadedDataset,
  recipe: Recipe,
  filter: ViewFilter | undefined,
): Promise<void> {
  if (!filter) return;
  try {
    await engine.validate(data, withFilter(recipe, filter));
  } catch (e) {
    throw viewFilterError(e, recipe.steps.length + 1);
  }
}

/** The recipe followed by the view filter (a copy; the recipe itself is not changed). */
export const withFilter = (recipe: Recipe, filter: ViewFilter | undefined): Recipe =>
  filter ? { ...recipe, steps: [...recipe.steps, filter] } : recipe;
