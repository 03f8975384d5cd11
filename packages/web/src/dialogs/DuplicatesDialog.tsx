import { useState } from 'react';
import type { Backend } from '../api/backend.js';
import type { DuplicatesResult, Step } from '../api/types.js';
import { errorText } from '../errors.js';
import { ShownValue } from '../ShownValue.js';
import { Modal } from './Modal.js';

interface Props {
  backend: Backend;
  datasetId: string;
  /** The text columns (duplicates are judged on text). */
  columns: string[];
  onStep: (s: Step, report: (message: string) => void) => Promise<boolean>;
  onClose: () => void;
}

/** Rows that are probably the same record spelled differently: review, confirm, keep one of each. */
export function DuplicatesDialog({ backend, datasetId, columns, onStep, onClose }: Props) {
  const [chosen, setChosen] = useState<string[]>(columns.slice(0, 2));
  const [threshold, setThreshold] = useState(0.85);
  const [result, setResult] = useState<DuplicatesResult>();
  const [confirmed, setConfirmed] = useState<boolean[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await backend.duplicates(datasetId, chosen, threshold);
      setResult(r);
      setConfirmed(r.groups.map(() => false));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const picked = result ? result.groups.filter((_, i) => confirmed[i]) : [];
  const apply = async () => {
    if (!result || picked.length === 0) return;
    const step = { op: 'dedupe-groups', columns: result.columns, groups: picked.map((g) => g.keys) } as Step;
    if (await onStep(step, setError)) onClose();
  };
  const toggleColumn = (c: string) =>
    setChosen(chosen.includes(c) ? chosen.filter((x) => x !== c) : [...chosen, c]);

  return (
    <Modal title="Find duplicate rows" onClose={onClose} testId="duplicates-dialog">
      <p className="muted">
        Rows whose values in the chosen columns are nearly the same (case, accents, punctuation and small
        typos ignored). Confirm the groups that are really one record; the step keeps the first row of each.
      </p>
      <fieldset>
        <legend>Compare these columns</legend>
        <div className="row wrap">
          {columns.map((c) => (
            <label key={c} className="check">
              <input type="checkbox" checked={chosen.includes(c)} onChange={() => toggleColumn(c)} /> {c}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="row">
        <label className="inline">
          Similarity at least
          <input
            className="narrow"
            type="number"
            min={0.5}
            max={1}
            step={0.01}
            value={threshold}
            onChange={(e) => setThreshold(Number(e.target.value))}
          />
        </label>
        <button className="primary" disabled={busy || chosen.length === 0} onClick={() => void run()}>
          {busy ? 'Comparing…' : 'Find duplicates'}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {result && result.groups.length === 0 && (
        <p>
          No duplicates among {result.tuples.toLocaleString('en')} distinct combinations at this similarity.
        </p>
      )}
      {result && result.groups.length > 0 && (
        <>
          <p className="muted">
            {result.groups.length.toLocaleString('en')} candidate groups
            {result.truncated ? ' (the best 1,000)' : ''} among {result.tuples.toLocaleString('en')} distinct
            combinations.
          </p>
          <div className="clusters">
            <table>
              <thead>
                <tr>
                  <th>Same record?</th>
                  <th>Score</th>
                  <th>Values ({result.columns.join(', ')}) and rows</th>
                </tr>
              </thead>
              <tbody>
                {result.groups.map((g, i) => (
                  <tr key={i} data-testid="duplicate-group">
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Group ${i + 1} is one record`}
                        checked={confirmed[i] ?? false}
                        onChange={(e) =>
                          setConfirmed(confirmed.map((x, j) => (j === i ? e.target.checked : x)))
                        }
                      />
                    </td>
                    <td>{g.score.toFixed(2)}</td>
                    <td>
                      <ul className="cluster-values">
                        {g.keys.map((k, j) => (
                          <li key={j}>
                            {k.map((v, n) => (
                              <span key={n}>
                                {n > 0 && ' · '}
                                <ShownValue value={v} />
                              </span>
                            ))}{' '}
                            <span className="muted">({g.counts[j]})</span>
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="row">
            <button onClick={() => setConfirmed(confirmed.map(() => true))}>Select all</button>
            <button onClick={() => setConfirmed(confirmed.map(() => false))}>Select none</button>
            <span className="spacer" />
            <button className="primary" disabled={picked.length === 0} onClick={() => void apply()}>
              Keep one row of {picked.length} confirmed group{picked.length === 1 ? '' : 's'}
            </button>
          </div>
        </>
      )}
    </Modal>
  );
}
