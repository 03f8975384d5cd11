import type { HistoryState } from '../api/types.js';
import { describeStep } from '../steps/describe.js';

interface Props {
  history: HistoryState;
  /** The step count the grid shows, when looking at the past. */
  viewStep: number | undefined;
  onView: (step: number | undefined) => void;
  onRemove: (index: number) => void;
  onUndo: () => void;
  onRedo: () => void;
  /** Replace the whole recipe with one from a file (a recipe saved from another dataset). */
  onLoad: (recipe: unknown) => void;
  onError: (e: unknown) => void;
  /** Why this person cannot change the recipe (shared with them to view only), if so. */
  readOnly?: string;
}

export function RecipePanel({
  history,
  viewStep,
  onView,
  onRemove,
  onUndo,
  onRedo,
  onLoad,
  onError,
  readOnly,
}: Props) {
  const steps = history.recipe.steps;
  return (
    <section className="panel" aria-labelledby="recipe-title" data-testid="recipe">
      <div className="row">
        <h2 id="recipe-title">Recipe</h2>
        <span className="spacer" />
        <button onClick={onUndo} disabled={!!readOnly || !history.canUndo} aria-label="Undo the last step">
          ↶
        </button>
        <button onClick={onRedo} disabled={!!readOnly || !history.canRedo} aria-label="Redo">
          ↷
        </button>
      </div>
      <ol className="steps">
        <li className={viewStep === 0 ? 'viewing' : ''}>
          <button className="step" onClick={() => onView(viewStep === 0 ? undefined : 0)}>
            <span className="muted">0.</span> The file as uploaded
          </button>
        </li>
        {steps.map((s, i) => (
          <li key={i} className={viewStep === i + 1 ? 'viewing' : ''} data-testid="step">
            <button
              className="step"
              onClick={() => onView(viewStep === i + 1 || i + 1 === steps.length ? undefined : i + 1)}
              title="Show the data as it was after this step"
            >
              <span className="muted">{i + 1}.</span> {describeStep(s)}
            </button>
            {!readOnly && (
              <button className="link" onClick={() => onRemove(i)} aria-label={`Remove step ${i + 1}`}>
                remove
              </button>
            )}
          </li>
        ))}
      </ol>
      {readOnly && (
        <p className="notice small" data-testid="read-only">
          {readOnly}
        </p>
      )}
      {!readOnly && (
        <label className="check small">
          Replay a saved recipe:{' '}
          <input
            type="file"
            accept=".json,application/json"
            data-testid="recipe-file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (!f) return;
              f.text().then(
                (text) => {
                  let json: unknown;
                  try {
                    json = JSON.parse(text);
                  } catch (e) {
                    onError(new Error(`${f.name} is not valid JSON: ${(e as Error).message}`));
                    return;
                  }
                  onLoad(json);
                },
                (err: unknown) => onError(err),
              );
            }}
          />
        </label>
      )}
      {history.canRedo && (
        <p className="muted small">
          {history.steps > history.cursor
            ? `${history.steps - history.cursor} undone step${history.steps - history.cursor === 1 ? '' : 's'} can be redone.`
            : 'An undone change (a replaced recipe or a removed step) can be redone.'}
        </p>
      )}
      {viewStep !== undefined && (
        <p className="notice">
          Showing the data after step {viewStep}.{' '}
          <button className="link" onClick={() => onView(undefined)}>
            Back to the latest
          </button>
        </p>
      )}
    </section>
  );
}
