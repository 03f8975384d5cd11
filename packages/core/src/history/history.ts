import type { Recipe } from '../recipe/schema.js';
import type { Step } from '../steps/registry.js';

/**
 * Undo/redo as a cursor over recipe states: `steps` holds every step applied on this line,
 * `cursor` how many are in effect. A new step drops the redo tail. Replacing the recipe (a
 * saved recipe replayed, a step removed from the middle) starts a new line whose first state is
 * the new recipe; `before` is the line it replaced, so undo there brings the old recipe back,
 * and `after` is the line undone that way, for redo.
 */
export interface History {
  readonly steps: readonly Step[];
  readonly cursor: number;
  /** Where this line starts: undo goes no lower on it (0, or the replacing recipe's length). */
  readonly base?: number;
  readonly before?: History;
  readonly after?: History;
}

export const emptyHistory = (): History => ({ steps: [], cursor: 0 });

export const historyFromRecipe = (recipe: Recipe): History => ({
  steps: [...recipe.steps],
  cursor: recipe.steps.length,
});

export const currentRecipe = (h: History): Recipe => ({ version: 1, steps: h.steps.slice(0, h.cursor) });

/** The line as it stands, without its redo tail and its redo link (a change clears redo). */
const settled = (h: History): History => {
  const { after: _after, ...rest } = h;
  return { ...rest, steps: h.steps.slice(0, h.cursor) };
};

export const addStep = (h: History, step: Step): History => {
  const { after: _after, ...rest } = h;
  return { ...rest, steps: [...h.steps.slice(0, h.cursor), step], cursor: h.cursor + 1 };
};

export const canUndo = (h: History): boolean => h.cursor > (h.base ?? 0) || h.before !== undefined;
export const canRedo = (h: History): boolean => h.cursor < h.steps.length || h.after !== undefined;

export function undo(h: History): History {
  if (h.cursor > (h.base ?? 0)) return { ...h, cursor: h.cursor - 1 };
  return h.before ? { ...h.before, after: h } : h;
}

export function redo(h: History): History {
  if (h.cursor < h.steps.length) return { ...h, cursor: h.cursor + 1 };
  return h.after ?? h;
}

/** How many replaced recipes undo can bring back: each is kept whole, so the chain is bounded. */
export const MAX_REPLACED = 20;

/** The line with at most `keep` lines before it (the oldest dropped). */
function keeping(h: History, keep: number): History {
  if (!h.before) return h;
  if (keep <= 0) {
    const { before: _before, ...rest } = h;
    return rest;
  }
  return { ...h, before: keeping(h.before, keep - 1) };
}

/** Replace the whole recipe (PUT /recipe): one new state that undo can leave; redo cleared. */
export const replaceRecipe = (h: History, recipe: Recipe): History => ({
  steps: [...recipe.steps],
  cursor: recipe.steps.length,
  base: recipe.steps.length,
  before: keeping(settled(h), MAX_REPLACED - 1),
});

/** Remove one step in effect (index 0-based), keeping the ones after it: a replacement. */
export function removeStep(h: History, index: number): History {
  if (index < 0 || index >= h.cursor) return h;
  const steps = [...h.steps.slice(0, index), ...h.steps.slice(index + 1, h.cursor)];
  return replaceRecipe(h, { version: 1, steps });
}
