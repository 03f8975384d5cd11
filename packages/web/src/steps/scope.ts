import { ROW_SCOPED_OPS } from '@tidyvault/core';
import type { Condition, Step } from '../api/types.js';

/**
 * The step limited to the rows `where` selects (the facets), as OpenRefine applies an operation to
 * the rows its facets select — when the step can be limited (trim, replace, mass-edit, …) and
 * is not already. Other steps (conversions, filters, column changes) apply to every row.
 */
export function withScope(step: Step, where: Condition | undefined): Step {
  if (!where || !ROW_SCOPED_OPS.includes(step.op) || 'where' in step) return step;
  return { ...step, where } as Step;
}
