import { compileRecipe } from '../compile/compile.js';
import type { Recipe } from '../recipe/schema.js';
import { unchangedColumns } from '../steps/step-shape.js';
import type { Column } from '../steps/types.js';
import type { ColumnProfile, Profile } from './profile-query.js';

/** Profiles remembered per dataset (each holds every column's ten most frequent values). */
const KEPT_PROFILES = 16;

/** Computes the profile of the recipe's result for these output columns only, or all of them (undefined). */
export type ComputeProfile = (columns: string[] | undefined) => Promise<Profile>;

const keyOf = (recipe: Recipe, upTo = recipe.steps.length) => JSON.stringify(recipe.steps.slice(0, upTo));

/**
 * Profiles of one dataset's recipe states. A state's profile starts from the latest earlier state
 * already profiled: every column the steps since then left unchanged (a trim of two columns
 * leaves the other ten; a sort leaves them all) is taken from it, and only the others are
 * computed. The workbench asks for the profile after every step, so a step costs the profile of
 * the columns it changed, not of the whole table.
 */
export class ProfileMemo {
  private readonly pending = new Map<string, Promise<Profile>>();
  /** Settled profiles, least recently used first. */
  private readonly known = new Map<string, Profile>();
  private cleared = false;

  constructor(private readonly source: Column[]) {}

  get(recipe: Recipe, compute: ComputeProfile): Promise<Profile> {
    const key = keyOf(recipe);
    const known = this.known.get(key);
    if (known) {
      this.known.delete(key);
      this.known.set(key, known);
      return Promise.resolve(known);
    }
    const running = this.pending.get(key);
    if (running) return running;
    const p = this.make(recipe, compute)
      .then((profile) => {
        if (this.cleared) return profile;
        this.known.set(key, profile);
        if (this.known.size > KEPT_PROFILES) this.known.delete(this.known.keys().next().value!);
        return profile;
      })
      .finally(() => this.pending.delete(key));
    this.pending.set(key, p);
    return p;
  }

  /** Forget every profile (the dataset is purged: they hold its most frequent values). */
  clear(): void {
    this.cleared = true;
    this.known.clear();
  }

  private async make(recipe: Recipe, compute: ComputeProfile): Promise<Profile> {
    const n = recipe.steps.length;
    // Steps posted in a burst: the profile of an earlier step still being made is waited for,
    // not made again.
    for (let j = n - 1; j >= 0 && !this.known.has(keyOf(recipe, j)); j--) {
      const running = this.pending.get(keyOf(recipe, j));
      if (running) {
        await running.catch(() => undefined);
        break;
      }
    }
    let k = n - 1;
    while (k >= 0 && !this.known.has(keyOf(recipe, k))) k--;
    if (k < 0) return compute(undefined);
    const before = this.known.get(keyOf(recipe, k))!;
    const { schemas } = compileRecipe(recipe, 'input', this.source).analysis;
    const output = schemas[n]!;
    const kept = unchangedColumns(recipe.steps.slice(k), schemas[k]!);
    const reusable = new Map(before.columns.filter((c) => kept.has(c.name)).map((c) => [c.name, c]));
    const missing = output.map((c) => c.name).filter((name) => !reusable.has(name));
    if (missing.length === output.length) return compute(undefined);
    const computed = missing.length > 0 ? await compute(missing) : undefined;
    const fresh = new Map(computed?.columns.map((c) => [c.name, c]));
    const columns = output.map((c): ColumnProfile => {
      const p = reusable.get(c.name) ?? fresh.get(c.name);
      if (!p) throw new Error(`no profile computed for column ${c.name}`);
      return p;
    });
    // Columns are kept only while every row is: the row count is the earlier state's.
    return { rows: computed?.rows ?? before.rows, columns };
  }
}
