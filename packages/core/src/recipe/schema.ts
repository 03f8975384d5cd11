import { z } from 'zod';
import { STEP_DEFINITIONS, type Step } from '../steps/registry.js';

const [first, ...rest] = STEP_DEFINITIONS.map((d) => d.schema);
export const stepSchema = z.discriminatedUnion('op', [
  first!,
  ...rest,
] as never) as unknown as z.ZodType<Step>;

export const MAX_STEPS = 1000;

export const recipeSchema = z.strictObject({
  version: z.literal(1),
  steps: z.array(stepSchema).max(MAX_STEPS),
});

export type Recipe = { version: 1; steps: Step[] };
