import type { z } from 'zod';
import { TidyvaultError, type ErrorLocation } from '../errors.js';
import { STEP_OPS } from '../steps/registry.js';
import { recipeSchema, stepSchema, type Recipe } from './schema.js';
import type { Step } from '../steps/registry.js';

function pathText(path: PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

type Issue = z.ZodError['issues'][number];

/**
 * The problem inside a value that matched none of a union's shapes (a condition), from the shape
 * it came closest to: `{"column": "city", "op": "like"}` is a leaf with a bad `op`, not an
 * unknown "and", "or" or "not". Other problems as they are.
 */
function specific(issue: Issue): Issue {
  const branches = issue.code === 'invalid_union' ? (issue as { errors?: Issue[][] }).errors : undefined;
  if (!branches || branches.length === 0) return issue;
  // A shape whose keys fit (no key it does not know at its top), with the fewest problems.
  const fitting = branches.filter(
    (b) => b.length > 0 && !b.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0),
  );
  const candidates = fitting.length > 0 ? fitting : branches.filter((b) => b.length > 0);
  if (candidates.length === 0) return issue;
  const best = candidates.reduce((a, b) => (b.length < a.length ? b : a));
  // No shape's keys fit: the key none of them knows is the problem.
  const unknownKey = fitting.length === 0 ? best.find((i) => i.code === 'unrecognized_keys') : undefined;
  const inner = unknownKey ?? specific(best[0]!);
  return { ...inner, path: [...issue.path, ...inner.path] } as Issue;
}

/** Where an issue is: its whole path, and the step (0-based) and op when it is inside one. */
function locate(issue: Issue, input: unknown, prefix: PropertyKey[]) {
  // A key nobody knows is the field at fault (`colums` for `columns`), not the object holding it.
  const unknown = issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? issue.keys : [];
  const path = [...prefix, ...issue.path, ...unknown];
  const stepIndex = path[0] === 'steps' && typeof path[1] === 'number' ? path[1] : undefined;
  const raw =
    stepIndex === undefined ? undefined : (input as { steps?: unknown[] } | null)?.steps?.[stepIndex];
  const op =
    raw && typeof raw === 'object' && typeof (raw as { op?: unknown }).op === 'string'
      ? (raw as { op: string }).op
      : undefined;
  const field = stepIndex === undefined ? pathText(path) || '(root)' : pathText(path.slice(2)) || undefined;
  return { path, stepIndex, op, field };
}

/** Where the first problem is: its step (1-based, as in every step error) and field, for an API. */
function firstLocation(error: z.ZodError, input: unknown, prefix: PropertyKey[] = []): ErrorLocation {
  if (!error.issues[0]) return {};
  const { stepIndex, op, field } = locate(specific(error.issues[0]), input, prefix);
  if (stepIndex === undefined) return { field: field! };
  return { step: { index: stepIndex + 1, op: op ?? '?' }, ...(field ? { field } : {}) };
}

/** Zod's own wording of a size limit ("Too small: expected array to have >=1 items"), in words. */
function plainWords(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'too_small' && issue.code !== 'too_big') return issue.message;
  if (!/^Too (small|big): /.test(issue.message)) return issue.message;
  // Array and string limits are inclusive (zod's min/max/length).
  const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
  const least = issue.exact ? 'exactly' : issue.code === 'too_small' ? 'at least' : 'at most';
  switch (issue.origin) {
    case 'array':
    case 'set':
      if (issue.code === 'too_small' && bound === 1 && !issue.exact)
        return 'must not be empty: give at least one';
      return `must have ${least} ${bound} item${bound === 1 ? '' : 's'}`;
    case 'string':
      if (issue.code === 'too_small' && bound === 1 && !issue.exact) return 'must not be empty';
      return `must be ${least} ${bound} character${bound === 1 ? '' : 's'} long`;
    case 'number':
    case 'int':
    case 'bigint':
      if (issue.inclusive !== false) return `must be ${least} ${bound}`;
      return `must be ${issue.code === 'too_small' ? 'more' : 'less'} than ${bound}`;
    default:
      return issue.message;
  }
}

/** One readable line per problem, naming the step (1-based) and the field. */
function describeIssues(error: z.ZodError, input: unknown, prefix: PropertyKey[] = []): string {
  const lines = error.issues.slice(0, 5).map((whole) => {
    const issue = specific(whole);
    const { path, stepIndex, op, field } = locate(issue, input, prefix);
    let message = plainWords(issue);
    if (issue.code === 'invalid_union' && path[path.length - 1] === 'op') {
      message = `unknown op ${JSON.stringify(op)}; known ops: ${STEP_OPS.join(', ')}`;
    }
    if (op !== undefined && !STEP_OPS.includes(op)) {
      message = `unknown op ${JSON.stringify(op)}; known ops: ${STEP_OPS.join(', ')}`;
      return `step ${stepIndex! + 1}: ${message}`;
    }
    const where =
      stepIndex !== undefined
        ? `step ${stepIndex + 1}${op ? ` (${op})` : ''}${field ? ` field "${field}"` : ''}`
        : `field "${field}"`;
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
    throw new TidyvaultError(
      'RECIPE_INVALID',
      `invalid recipe: ${describeIssues(result.error, input)}`,
      firstLocation(result.error, input),
    );
  }
  return result.data as Recipe;
}

export function parseRecipeText(text: string, source = 'recipe'): Recipe {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    // V8 gives a character offset; people look for a line and a column.
    const at = /at position (\d+)/.exec(message);
    let where = '';
    let line: number | undefined;
    if (at && !/\(line \d+/.test(message)) {
      const before = text.slice(0, Number(at[1]));
      line = before.split('\n').length;
      where = ` (line ${line}, column ${before.length - before.lastIndexOf('\n')})`;
    }
    throw new TidyvaultError('RECIPE_INVALID', `${source} is not valid JSON: ${message}${where}`, {
      file: source,
      ...(line !== undefined ? { line } : {}),
    });
  }
  return parseRecipe(json);
}

/** A step on its own; `index` (0-based) is where it will go in the recipe, for the messages. */
export function parseStep(input: unknown, index = 0): Step {
  checkNesting(input, 'step');
  const result = stepSchema.safeParse(input);
  if (!result.success) {
    const steps: unknown[] = [];
    steps[index] = input;
    throw new TidyvaultError(
      'RECIPE_INVALID',
      `invalid step: ${describeIssues(result.error, { steps }, ['steps', index])}`,
      firstLocation(result.error, { steps }, ['steps', index]),
    );
  }
  return result.data;
}
