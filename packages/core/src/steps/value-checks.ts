import type { Recipe } from '../recipe/schema.js';
import { stepDefinition } from './registry.js';

export interface ValueCheck {
  /** The recipe's first `upTo` steps: the last of them is the step checked. */
  upTo: number;
  /** Its output columns to compute over every row. */
  columns: string[];
}

/**
 * What to compute over the data before `next` replaces `before`: each step after their common
 * prefix that may refuse to make a value (`mayRefuseValues`), with the columns it writes.
 */
export function valueChecks(before: Recipe, next: Recipe): ValueCheck[] {
  let same = 0;
  while (
    same < before.steps.length &&
    same < next.steps.length &&
    JSON.stringify(before.steps[same]) === JSON.stringify(next.steps[same])
  )
    same++;
  const checks: ValueCheck[] = [];
  next.steps.forEach((step, i) => {
    if (i < same) return;
    const columns = stepDefinition(step.op)?.mayRefuseValues?.(step) ?? [];
    if (columns.length > 0) checks.push({ upTo: i + 1, columns });
  });
  return checks;
}
