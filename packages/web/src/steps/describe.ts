import { describeStep as describeRecipeStep } from '@tidyvault/core';
import type { Step } from '../api/types.js';

/** A step in words, as the recipe panel lists it (with the rows it is limited to, if it is). */
export function describeStep(step: Step): string {
  return describeRecipeStep(step as never);
}

/** Steps that carry values from the data (mass edits, confirmed duplicate groups). */
export const carriesValues = (step: Step): boolean => step.op === 'mass-edit' || step.op === 'dedupe-groups';
