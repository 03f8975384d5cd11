import { countingStepsFrom, isTidyvaultError, type LoadedDataset, type Recipe } from '@tidyvault/core';
import type { LocalEngine } from './local-engine.js';

/** States held per dataset: the current one and the most recently used other (undo, a step's preview). */
const KEPT_STATES = 2;

/** A recipe prefix's output held as a table (rowid = the row's position). */
interface State {
  key: string;
  steps: number;
  data: Promise<LoadedDataset>;
  /** The table, once made. */
  made?: LoadedDataset;
  users: number;
  lastUse: number;
  doomed: boolean;
}

/** The heap the tab's tables share: every dataset's source and states count against it. */
export class HeapBudget {
  private held = 0;
  /** @param bytes what tables may take, with as much again left to work on them */
  constructor(private readonly bytes: number) {}
  take(n: number): boolean {
    if (2 * (this.held + n) > this.bytes) return false;
    this.held += n;
    return true;
  }
  /** Counts bytes already taken (a loaded dataset), room or not. */
  hold(n: number): void {
    this.held += n;
  }
  give(n: number): void {
    this.held = Math.max(0, this.held - n);
  }
}

const keyOf = (recipe: Recipe, upTo = recipe.steps.length) => JSON.stringify(recipe.steps.slice(0, upTo));

/**
 * Recipe states of one local dataset, made once and read many times. A read of a recipe runs
 * against the state that holds its output, made on first use from the longest held prefix
 * (one more step after a step is added); without them every page, count, profile column, facet
 * and export would run the whole recipe again on the tab's single DuckDB thread. A state is
 * only made when the heap budget has room for it (about the source's size); otherwise, or when
 * DuckDB runs out of memory making it, reads run the recipe from the source as before.
 */
export class LocalStates {
  private readonly states: State[] = [];
  private clock = 0;
  private disabled = false;

  constructor(
    private readonly engine: LocalEngine,
    private readonly source: LoadedDataset,
    private readonly budget: HeapBudget,
    /** What one state is expected to take (about the source table's size). */
    private readonly stateBytes: number,
  ) {}

  /** Recipe states held now (each about the size of the source). */
  get held(): number {
    return this.states.filter((s) => !s.doomed).length;
  }

  /**
   * Runs `work` on the data holding `recipe`'s output and the steps still to apply (none once
   * made). `make: false` (a look at an earlier step) makes no state: it reads from the longest
   * one held that is a prefix of `recipe` (or the source), so the states kept stay the current one
   * and the one before it.
   */
  async read<T>(
    recipe: Recipe,
    work: (data: LoadedDataset, rest: Recipe) => Promise<T>,
    {
      make = true,
      soon,
    }: {
      make?: boolean;
      /**
       * While the state is being made: given the longest prefix already made and the steps after
       * it, the work to do on them now (a page that streams), or undefined to wait for the state.
       */
      soon?: (data: LoadedDataset, rest: Recipe) => (() => Promise<T>) | undefined;
    } = {},
  ): Promise<T> {
    const wanted = recipe.steps.length > 0 && !this.disabled;
    const state = !wanted ? undefined : make ? this.stateFor(recipe) : this.longestPrefix(recipe);
    if (!state) return work(this.source, recipe);
    if (soon && !state.made) {
      const base = this.longestMade(recipe);
      const now = soon(base?.made ?? this.source, { ...recipe, steps: recipe.steps.slice(base?.steps ?? 0) });
      if (now) {
        if (base) base.users++;
        try {
          return await now().catch((e: unknown) => {
            throw countingStepsFrom(base?.steps ?? 0, e);
          });
        } finally {
          if (base) base.users--;
          this.collect();
        }
      }
    }
    state.users++;
    try {
      let data: LoadedDataset;
      try {
        data = await state.data;
      } catch (e) {
        if (isTidyvaultError(e) && e.code === 'OUT_OF_MEMORY') {
          // No room for states in this tab: read through the recipe from now on.
          this.disabled = true;
          for (const s of this.states) s.doomed = true;
          return await work(this.source, recipe);
        }
        throw e;
      }
      return await work(data, { ...recipe, steps: recipe.steps.slice(state.steps) }).catch((e: unknown) => {
        // Steps run on the state are numbered from it: as the user counts them again.
        throw countingStepsFrom(state.steps, e);
      });
    } finally {
      state.users--;
      this.collect();
    }
  }

  /** Drops every state (the dataset is being removed). */
  async dispose(): Promise<void> {
    this.disabled = true;
    for (const s of this.states) s.doomed = true;
    await Promise.all([...this.states].map((s) => this.drop(s)));
  }

  /** The longest prefix of `recipe` whose table is made (not the recipe itself while it is being made). */
  private longestMade(recipe: Recipe): State | undefined {
    return this.states
      .filter(
        (s) => !s.doomed && s.made && s.steps <= recipe.steps.length && s.key === keyOf(recipe, s.steps),
      )
      .sort((a, b) => b.steps - a.steps)[0];
  }

  private longestPrefix(recipe: Recipe): State | undefined {
    return this.states
      .filter((s) => !s.doomed && s.steps <= recipe.steps.length && s.key === keyOf(recipe, s.steps))
      .sort((a, b) => b.steps - a.steps)[0];
  }

  private stateFor(recipe: Recipe): State | undefined {
    const key = keyOf(recipe);
    const held = this.states.find((s) => s.key === key && !s.doomed);
    if (held) {
      held.lastUse = ++this.clock;
      return held;
    }
    if (!this.budget.take(this.stateBytes)) return undefined;
    const base = this.states
      .filter((s) => !s.doomed && s.steps < recipe.steps.length && s.key === keyOf(recipe, s.steps))
      .sort((a, b) => b.steps - a.steps)[0];
    const state: State = {
      key,
      steps: recipe.steps.length,
      data: Promise.resolve(undefined as unknown as LoadedDataset),
      users: 0,
      lastUse: ++this.clock,
      doomed: false,
    };
    if (base) base.users++;
    state.data = (async () => {
      try {
        const from = base ? await base.data.catch(() => undefined) : undefined;
        // In the background: a page asked for meanwhile, from a state already made, goes first.
        const o = { background: true };
        if (!from) return (state.made = await this.engine.materialise(this.source, recipe, o));
        const rest: Recipe = { ...recipe, steps: recipe.steps.slice(base!.steps) };
        state.made = await this.engine.materialise(from, rest, o).catch((e: unknown) => {
          if (isTidyvaultError(e) && e.code === 'OUT_OF_MEMORY') throw e;
          // Again from the source, so that the error counts steps as the user does.
          return this.engine.materialise(this.source, recipe, o);
        });
        return state.made;
      } catch (e) {
        state.doomed = true;
        throw e;
      } finally {
        if (base) {
          base.users--;
          this.collect();
        }
      }
    })();
    this.states.push(state);
    return state;
  }

  /** Keeps the most recently used states; drops the others once nothing reads them. */
  private collect(): void {
    const live = this.states.filter((s) => !s.doomed).sort((a, b) => b.lastUse - a.lastUse);
    for (const s of live.slice(KEPT_STATES)) s.doomed = true;
    for (const s of [...this.states]) if (s.doomed && s.users === 0) void this.drop(s);
  }

  private async drop(s: State): Promise<void> {
    const i = this.states.indexOf(s);
    if (i < 0) return;
    this.states.splice(i, 1);
    this.budget.give(this.stateBytes);
    const data = await s.data.catch(() => undefined);
    if (data) await this.engine.dropState(data).catch(() => undefined);
  }
}
