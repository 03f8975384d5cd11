import { describe, expect, it } from 'vitest';
import type { Step } from '../steps/registry.js';
import {
  addStep,
  canRedo,
  canUndo,
  currentRecipe,
  emptyHistory,
  MAX_REPLACED,
  redo,
  removeStep,
  replaceRecipe,
  undo,
} from './history.js';

const trim: Step = { op: 'trim' };
const lower: Step = { op: 'change-case', columns: ['a'], case: 'lower' };
const drop: Step = { op: 'drop-columns', columns: ['b'] };

describe('history', () => {
  it('undoes and redoes as a cursor over recipe states', () => {
    let h = addStep(addStep(emptyHistory(), trim), lower);
    expect(currentRecipe(h).steps).toEqual([trim, lower]);
    h = undo(h);
    expect(currentRecipe(h).steps).toEqual([trim]);
    expect(canRedo(h)).toBe(true);
    h = redo(h);
    expect(currentRecipe(h).steps).toEqual([trim, lower]);
    expect(canRedo(h)).toBe(false);
  });

  it('clears redo when a new step is added', () => {
    let h = undo(addStep(addStep(emptyHistory(), trim), lower));
    h = addStep(h, drop);
    expect(currentRecipe(h).steps).toEqual([trim, drop]);
    expect(canRedo(h)).toBe(false);
  });

  it('ignores undo at the start and redo at the end', () => {
    const h = emptyHistory();
    expect(canUndo(h)).toBe(false);
    expect(undo(h)).toBe(h);
    expect(redo(h)).toBe(h);
  });

  it('removes one step and keeps the later ones', () => {
    const h = removeStep(addStep(addStep(addStep(emptyHistory(), trim), lower), drop), 1);
    expect(currentRecipe(h).steps).toEqual([trim, drop]);
  });

  it('undoes a removed step: the recipe before the removal comes back whole, and redo removes it again', () => {
    const three = addStep(addStep(addStep(emptyHistory(), trim), lower), drop);
    let h = removeStep(three, 1);
    expect(canUndo(h)).toBe(true);
    h = undo(h);
    expect(currentRecipe(h).steps).toEqual([trim, lower, drop]);
    expect(canRedo(h)).toBe(true);
    h = redo(h);
    expect(currentRecipe(h).steps).toEqual([trim, drop]);
    // Undo keeps going down the older line once back on it.
    h = undo(undo(h));
    expect(currentRecipe(h).steps).toEqual([trim, lower]);
  });

  it('undoes a replayed recipe, and a step added after it first', () => {
    let h = addStep(addStep(emptyHistory(), trim), lower);
    h = replaceRecipe(h, { version: 1, steps: [drop, trim] });
    h = addStep(h, lower);
    h = undo(h);
    expect(currentRecipe(h).steps).toEqual([drop, trim]);
    h = undo(h);
    expect(currentRecipe(h).steps).toEqual([trim, lower]);
    h = undo(h);
    expect(currentRecipe(h).steps).toEqual([trim]);
    h = redo(redo(h));
    expect(currentRecipe(h).steps).toEqual([drop, trim]);
    expect(canRedo(h)).toBe(true);
    expect(currentRecipe(redo(h)).steps).toEqual([drop, trim, lower]);
  });

  it('drops the redo line when something new is done after an undo', () => {
    let h = undo(replaceRecipe(addStep(emptyHistory(), trim), { version: 1, steps: [drop] }));
    expect(canRedo(h)).toBe(true);
    h = addStep(h, lower);
    expect(currentRecipe(h).steps).toEqual([trim, lower]);
    expect(canRedo(h)).toBe(false);
    // The replaced line's undone steps are not brought back by redo after undoing the replacement.
    let g = undo(addStep(addStep(emptyHistory(), trim), lower));
    g = undo(replaceRecipe(g, { version: 1, steps: [drop] }));
    expect(currentRecipe(g).steps).toEqual([trim]);
    expect(currentRecipe(redo(g)).steps).toEqual([drop]);
  });

  it('brings back at most MAX_REPLACED replaced recipes, the most recent ones', () => {
    let h = emptyHistory();
    for (let i = 0; i < MAX_REPLACED + 5; i++)
      h = replaceRecipe(h, { version: 1, steps: Array.from({ length: i + 1 }, () => trim) });
    let undone = 0;
    while (canUndo(h)) {
      h = undo(h);
      undone++;
    }
    expect(undone).toBe(MAX_REPLACED);
    expect(currentRecipe(h).steps).toHaveLength(5);
  });
});
