import type { z } from 'zod';
import { TidyvaultError } from '../errors.js';
import { STEP_OPS } from '../steps/registry.js';
import { recipeSchema, stepSchema, type Recipe } from './schema.js';
import type { Step } from '../steps/registry.js';

function pathText(path: PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

/** One readable line per problem, naming the step (1-based) and the field. */
function describeIssues(error: z.ZodError, input: unknown, prefix: PropertyKey[] = []): string {
  const lines = error.issues.slice(0, 5).map((issue) => {
    const path = [...prefix, ...issue.path];
    const stepIndex = path[0] === 'steps' && typeof path[1] === 'number' ? path[1] : undefined;
    const steps = (input as { steps?: unknown[] } | null)?.steps;
    const raw =
      stepIndex !== undefined && Array.isArray(steps) ? (steps[stepIndex] as { op?: unknown }) : undefined;
    const op = raw && typeof raw.op === 'string' ? raw.op : undefined;
    let message = issue.message;
    if (issue.code === 'invalid_union' && path[path.length - 1] === 'op') {
      message = `unknown op ${JSON.stringify(op)}; known ops: ${STEP_OPS.join(', ')}`;
    }
    if (op !== undefined && !STEP_OPS.includes(op)) {
      message = `unknown op ${JSON.stringify(op)}; known ops: ${STEP_OPS.join(', ')}`;
      return `step ${stepIndex! + 1}: ${message}`;
    }
    const where =
      stepIndex !== undefined
        ? `step ${stepIndex + 1}${op ? ` (${op})` : ''}${path.length > 2 ? ` field "${pathText(path.slice(2))}"` : ''}`
        : `field "${pathText(path) || '(root)'}"`;
    return `${where}: ${message}`;
  });
  return [...new Set(lines)].join('; ');
}

/** Deeper JSON than any real recipe needs; deeper input would overflow the validator's stack. */
export const MAX_NESTING = 100;

/** Refuse input nested deeper than MAX_NESTING (checked without recursion). */
function checkNesting(input: unknown, what: string): void {
  const stack: [unknown, number][] = [[input, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > MAX_NESTING)
      throw new TidyvaultError(
        'RECIPE_INVALID',
        `invalid ${what}: nested more than ${MAX_NESTING} levels deep`,
      );
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
}

export function parseRecipe(input: unknown): Recipe {
  checkNesting(input, 'recipe');
  const result = recipeSchema.safeParse(input);
  if (!result.success) {
    throw new TidyvaultError('RECIPE_INVALID', `invalid recipe: ${describeIssues(result.error, input)}`);
  }
  return result.data as Recipe;
}

export function parseRecipeText(text: string, source = 'recipe'): Recipe {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TidyvaultError('RECIPE_INVALID', `${source} is not valid JSON: ${(e as Error).message}`, {
      file: source,
    });
  }
  return parseRecipe(json);
}

export function parseStep(input: unknown): Step {
  checkNesting(input, 'step');
  const result = stepSchema.safeParse(input);
  if (!result.success) {
    throw new TidyvaultError(
      'RECIPE_INVALID',
      `invalid step: ${describeIssues(result.error, { steps: [input] }, ['steps', 0])}`,
    );
  }
  return result.data;
}
