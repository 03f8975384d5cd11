import type { Recipe } from '../recipe/schema.js';
import type { Step } from '../steps/registry.js';

/**
 * Undo/redo as a cursor over recipe states: `steps` holds every step ever applied on this line,
 * `cursor` how many are in effect. A new step drops the redo tail.
 */
export interface History {
  readonly steps: readonly Step[];
  readonly cursor: number;
}

export const emptyHistory = (): History => ({ steps: [], cursor: 0 });

export const historyFromRecipe = (recipe: Recipe): History => ({
  steps: [...recipe.steps],
  cursor: recipe.steps.length,
});

export const currentRecipe = (h: History): Recipe => ({ version: 1, steps: h.steps.slice(0, h.cursor) });

export const addStep = (h: History, step: Step): History => ({
  steps: [...h.steps.slice(0, h.cursor), step],
  cursor: h.cursor + 1,
});

export const canUndo = (h: History): boolean => h.cursor > 0;
export const canRedo = (h: History): boolean => h.cursor < h.steps.length;

export const undo = (h: History): History => (canUndo(h) ? { steps: h.steps, cursor: h.cursor - 1 } : h);
export const redo = (h: History): History => (canRedo(h) ? { steps: h.steps, cursor: h.cursor + 1 } : h);

/** Remove one step in effect (index 0-based), keeping the ones after it; clears redo. */
export function removeStep(h: History, index: number): History {
  if (index < 0 || index >= h.cursor) return h;
  const steps = [...h.steps.slice(0, index), ...h.steps.slice(index + 1, h.cursor)];
  return { steps, cursor: steps.length };
}

/** Replace the whole recipe (PUT /recipe): one new state, redo cleared. */
export const replaceRecipe = (_h: History, recipe: Recipe): History => historyFromRecipe(recipe);
