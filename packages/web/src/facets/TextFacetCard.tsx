import { useEffect, useState } from 'react';
import type { Backend } from '../api/backend.js';
import type { Condition, FacetResult, Step } from '../api/types.js';
import { ShownValue } from '../ShownValue.js';
import { valueLabel } from '../shown-value.js';
import type { Facet } from './facet-model.js';
import { facetChoices } from './facet-choices.js';

type TextFacet = Extract<Facet, { kind: 'text' }>;

interface Props {
  backend: Backend;
  datasetId: string;
  viewKey: string;
  where: Condition | undefined;
  facet: TextFacet;
  onChange: (f: TextFacet) => void;
  onStep: (step: Step) => Promise<boolean>;
  onError: (e: unknown) => void;
  /** No mass edit (a viewer). */
  readOnly?: boolean;
}

/** OpenRefine's text facet: each value with its count; click to select; edit to mass-edit. */
export function TextFacetCard({
  backend,
  datasetId,
  viewKey,
  where,
  facet,
  onChange,
  onStep,
  onError,
  readOnly = false,
}: Props) {
  const [result, setResult] = useState<FacetResult>();
  const [editing, setEditing] = useState<{ from: string; to: string }>();
  const whereKey = JSON.stringify(where ?? null);

  useEffect(() => {
    let live = true;
    backend.facet(datasetId, facet.column, where).then(
      (r) => live && setResult(r),
      (e: unknown) => live && onError(e),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [backend, datasetId, facet.column, viewKey, whereKey]);

  if (!result) return <p className="muted">Counting…</p>;
  const toggle = (v: string | null) =>
    onChange({
      ...facet,
      selected: facet.selected.includes(v) ? facet.selected.filter((x) => x !== v) : [...facet.selected, v],
    });
  const saveEdit = async () => {
    if (!editing) return;
    if (editing.to !== editing.from) {
      const ok = await onStep({
        op: 'mass-edit',
        column: facet.column,
        edits: [{ from: [editing.from], to: editing.to }],
      });
      if (!ok) return;
      onChange({ ...facet, selected: facet.selected.filter((x) => x !== editing.from) });
    }
    setEditing(undefined);
  };
  return (
    <>
      <div className="row small">
        <span className="muted">{result.values.length.toLocaleString('en')} choices</span>
        <span className="spacer" />
        <label className="check">
          <input
            type="checkbox"
            checked={facet.invert}
            onChange={(e) => onChange({ ...facet, invert: e.target.checked })}
          />{' '}
          invert
        </label>
        {facet.selected.length > 0 && (
          <button className="link" onClick={() => onChange({ ...facet, selected: [] })}>
            reset
          </button>
        )}
      </div>
      <ul className="facet-values" role="list">
        {facetChoices(result, facet.selected).map((v) => {
          const selected = facet.selected.includes(v.value);
          const key = v.value === null ? '\u0000null' : v.value;
          if (editing && v.value === editing.from)
            return (
              <li key={key} className="editing">
                <form
                  onSubmit={(e) => {
                    e.preventDefault();
                    void saveEdit();
                  }}
                >
                  <input
                    autoFocus
                    aria-label={`New value for ${valueLabel(v.value)}`}
                    value={editing.to}
                    onChange={(e) => setEditing({ ...editing, to: e.target.value })}
                    onKeyDown={(e) => e.key === 'Escape' && setEditing(undefined)}
                  />
                  <button type="submit">Apply</button>
                  <button type="button" className="link" onClick={() => setEditing(undefined)}>
                    cancel
                  </button>
                </form>
                <p className="muted small">
                  Changes all {v.count === undefined ? 'the' : v.count.toLocaleString('en')} cells with this
                  value (recorded as a step).
                </p>
              </li>
            );
          return (
            <li key={key} className={selected ? 'selected' : ''}>
              <button className="value" aria-pressed={selected} onClick={() => toggle(v.value)}>
                <span className="text">
                  <ShownValue value={v.value} />
                </span>
                <span className="count">{v.count === undefined ? '…' : v.count.toLocaleString('en')}</span>
              </button>
              {v.value !== null && !readOnly && (
                <button
                  className="link small"
                  onClick={() => setEditing({ from: v.value!, to: v.value! })}
                  aria-label={`Edit ${valueLabel(v.value)}`}
                >
                  edit
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {result.truncated && <p className="muted small">Showing the 1,000 most frequent values.</p>}
    </>
  );
}
