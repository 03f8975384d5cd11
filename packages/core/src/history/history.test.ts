import { describe, expect, it } from 'vitest';
import type { Step } from '../steps/registry.js';
import { addStep, canRedo, canUndo, currentRecipe, emptyHistory, redo, removeStep, undo } from './history.js';

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
});
