import { stepDefinition } from '@tidyvault/core';
import type { Step } from '../api/types.js';

/** A step in words, as the recipe panel lists it. */
export function describeStep(step: Step): string {
  return stepDefinition(step.op)?.describe(step as never) ?? step.op;
}

/** Steps that carry values from the data (mass edits, confirmed duplicate groups). */
export const carriesValues = (step: Step): boolean => step.op === 'mass-edit' || step.op === 'dedupe-groups';
