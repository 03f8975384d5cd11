import { useEffect, useMemo, useRef, useState } from 'react';
import type { Backend } from '../api/backend.js';
import type { Column, ColumnProfile, Condition, Histogram as HistogramData, Step } from '../api/types.js';
import { Histogram } from '../charts/Histogram.js';
import type { Facet } from '../facets/facet-model.js';
import { plural, shownNumber } from '../format.js';
import { ShownValue } from '../ShownValue.js';
import { ROW_SCOPED_OPS } from '@tidyvault/core';
import { STEP_FORMS, type StepForm } from '../steps/step-forms.js';
import { StepFormView } from '../steps/StepFormView.js';
import { useRestoreFocus } from './restore-focus.js';

interface Props {
  backend: Backend;
  datasetId: string;
  column: string;
  columns: Column[];
  x: number;
  y: number;
  profile: ColumnProfile | undefined;
  onClose: () => void;
  /** Resolves to the error message when the step was refused. */
  onStep: (s: Step) => Promise<string | undefined>;
  /** Why this person cannot apply steps (a dataset shared with them to view only), if so. */
  readOnly?: string;
  /** Facets are active: value-changing steps change only the rows they select (this many). */
  /** null: the rows are still being counted. */
  scopedRows?: number | null;
  /** The facets' selection: the preview's rows come from it. */
  where?: Condition | undefined;
  onFacet: (f: Facet) => void;
  onCluster: () => void;
}

const scopedOps = ROW_SCOPED_OPS.join(', ');

/** A column's profile, facets and every step that applies to it. */
export function ColumnMenu(p: Props) {
  const { column, columns, profile } = p;
  const type = columns.find((c) => c.name === column)?.type ?? 'text';
  const [form, setForm] = useState<StepForm>();
  const [problem, setProblem] = useState<string>();
  const [hist, setHist] = useState<HistogramData>();
  const numeric = type === 'number' || type === 'integer';
  // Numbers: their values; anything else: the lengths of its values, in characters.
  const of = numeric ? 'value' : 'length';
  useEffect(() => {
    let live = true;
    setHist(undefined);
    p.backend.histogram(p.datasetId, column, 30, undefined, of).then(
      (h) => live && setHist(h),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [p.backend, p.datasetId, column, of]);
  const [sample, setSample] = useState<string[]>([]);
  const box = useRef<HTMLDivElement>(null);
  const forms = useMemo(() => STEP_FORMS.filter((f) => !f.types || f.types.includes(type)), [type]);

  useRestoreFocus();
  useEffect(() => {
    box.current?.focus();
    let live = true;
    p.backend.rows(p.datasetId, 0, 50, undefined, p.where).then(
      (page) => {
        const i = page.columns.findIndex((c) => c.name === column);
        const seen = new Set<string>();
        for (const r of page.rows) {
          const v = r[i];
          if (typeof v === 'string') seen.add(v);
          if (seen.size >= 6) break;
        }
        if (live) setSample([...seen]);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [column]);

  const left = Math.min(p.x, window.innerWidth - 420);
  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && p.onClose()}>
      <div
        ref={box}
        className="popover column-menu"
        role="dialog"
        aria-label={`Column ${column}`}
        tabIndex={-1}
        data-left={left}
        data-top={p.y}
        onKeyDown={(e) => e.key === 'Escape' && p.onClose()}
        data-testid="column-menu"
      >
        <PositionAt el={box} left={left} top={Math.min(p.y, window.innerHeight - 200)} />
        <div className="row">
          <h2>
            {column} <span className="muted small">{type}</span>
          </h2>
          <span className="spacer" />
          <button className="link" onClick={p.onClose} aria-label="Close">
            ×
          </button>
        </div>
        {profile && <ProfileSummary p={profile} />}
        {hist && hist.bins.length > 0 && (
          <div data-testid="column-histogram" data-of={of}>
            <Histogram
              edges={hist.bins.map((b) => b.from)}
              counts={hist.bins.map((b) => b.count)}
              label={of === 'length' ? `${column} (length in characters)` : column}
            />
            {of === 'length' && <p className="muted small">Lengths of the values, in characters</p>}
          </div>
        )}
        <div className="row wrap">
          <span className="muted">Facet:</span>
          <button onClick={() => p.onFacet({ kind: 'text', column, selected: [], invert: false })}>
            Text facet
          </button>
          {(type === 'number' || type === 'integer') && (
            <button onClick={() => p.onFacet({ kind: 'range', column })}>Numeric facet</button>
          )}
          <button onClick={() => p.onFacet({ kind: 'blank', column, text: type === 'text' })}>
            Blank facet
          </button>
          {type === 'text' && <button onClick={p.onCluster}>Cluster…</button>}
        </div>
        {p.readOnly ? (
          <p className="notice small">{p.readOnly}</p>
        ) : form ? (
          <StepFormView
            form={form}
            column={column}
            columns={columns}
            sample={sample}
            scope={p.where}
            profile={profile}
            onBack={() => setForm(undefined)}
            onApply={p.onStep}
          />
        ) : (
          <div className="step-groups">
            {p.scopedRows !== undefined && (
              <p className="notice small wide" data-testid="scope-notice">
                Facets are on: cleaning steps ({scopedOps}) change only the{' '}
                {p.scopedRows === null ? 'rows' : plural(p.scopedRows, 'row')} they select. Conversions,
                filters and column changes apply to every row.
              </p>
            )}
            {problem && (
              <p className="error wide" role="alert">
                {problem}
              </p>
            )}
            {(['Clean', 'Convert', 'Rows', 'Columns'] as const).map((g) => (
              <div key={g}>
                <h3>{g}</h3>
                {forms
                  .filter((f) => f.group === g)
                  .map((f) => (
                    <button
                      key={f.id}
                      className="menu-item"
                      onClick={() => {
                        // No parameters: apply at once.
                        if (f.fields.length === 0)
                          void p.onStep(f.build(column, {}, columns)).then(setProblem);
                        else setForm(f);
                      }}
                    >
                      {f.label}
                      {f.fields.length > 0 ? '…' : ''}
                    </button>
                  ))}
              </div>
            ))}
          </div>
        )}
      </div>
    </div>
  );
}

/** Positions the popover through the CSSOM (allowed by the CSP, unlike style attributes in HTML). */
function PositionAt({
  el,
  left,
  top,
}: {
  el: React.RefObject<HTMLDivElement | null>;
  left: number;
  top: number;
}) {
  useEffect(() => {
    if (!el.current) return;
    el.current.style.left = `${Math.max(8, left)}px`;
    el.current.style.top = `${Math.max(8, top)}px`;
    // A menu taller than the room below its top scrolls inside, rather than run off the screen.
    el.current.style.maxHeight = `calc(100vh - ${Math.max(8, top) + 8}px)`;
  }, [el, left, top]);
  return null;
}

/** A number column's value as the grid shows it (the profile lists DuckDB's text: 2500.0). */
function asNumber(v: string | number | null): string | number | null {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? shownNumber(n) : v;
}

function ProfileSummary({ p }: { p: ColumnProfile }) {
  const max = Math.max(1, ...p.topValues.map((t) => t.count));
  return (
    <div className="profile" data-testid="column-profile">
      <dl className="stats">
        <dt>distinct</dt>
        <dd>{p.distinct.toLocaleString('en')}</dd>
        <dt>null</dt>
        <dd>{p.nulls.toLocaleString('en')}</dd>
        <dt>blank</dt>
        <dd>{p.blanks.toLocaleString('en')}</dd>
        <dt>length</dt>
        <dd>{p.minLength === null ? '–' : `${p.minLength}–${p.maxLength}`}</dd>
        <dt>looks like</dt>
        <dd>{p.inferredType}</dd>
      </dl>
      <table className="top-values">
        <caption className="muted small">Most frequent values</caption>
        <tbody>
          {p.topValues.slice(0, 8).map((t, i) => (
            <tr key={i}>
              <td className="text">
                <ShownValue
                  value={p.type === 'number' || p.type === 'integer' ? asNumber(t.value) : t.value}
                />
              </td>
              <td className="count">{t.count.toLocaleString('en')}</td>
              <td className="bar-cell">
                <meter min={0} max={max} value={t.count} aria-label="share" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
