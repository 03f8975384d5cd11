import { NEAREST_NEIGHBOUR_METHODS } from '@tidyvault/core';
import { useState } from 'react';
import type { Backend } from '../api/backend.js';
import type { ClusterResult, Step } from '../api/types.js';
import { errorText } from '../errors.js';
import { Modal } from './Modal.js';
import { ShownValue } from '../ShownValue.js';
import { valueLabel } from '../shown-value.js';
import { clusterOverlaps } from './cluster-overlaps.js';

/** OpenRefine's methods as Tidyvault offers them (metaphone3 is not available yet). */
const METHODS: [string, string][] = [
  ['fingerprint', 'key collision: fingerprint'],
  ['ngram-fingerprint', 'key collision: n-gram fingerprint'],
  ['cologne-phonetic', 'key collision: Cologne phonetic'],
  ['daitch-mokotoff', 'key collision: Daitch–Mokotoff'],
  ['levenshtein', 'nearest neighbour: Levenshtein'],
  ['ppm', 'nearest neighbour: PPM'],
];

const OVERLAPS_ON_MERGE_ALL =
  'Nearest-neighbour clusters can overlap: with "Merge all", a value listed in several clusters joins the first one listed.';

interface Props {
  backend: Backend;
  datasetId: string;
  columns: string[];
  initialColumn?: string;
  /** Records the step; a refusal is reported through `report` (shown in this dialog). */
  onStep: (s: Step, report: (message: string) => void) => Promise<boolean>;
  onClose: () => void;
  /** Why the clusters can be looked at but not merged (a viewer of a shared dataset). */
  readOnly?: string;
}

interface Choice {
  merge: boolean;
  to: string;
}

/** OpenRefine's cluster & merge: pick method and parameters, review clusters, merge the chosen ones. */
export function ClusterDialog({
  backend,
  datasetId,
  columns,
  initialColumn,
  onStep,
  onClose,
  readOnly,
}: Props) {
  const [column, setColumn] = useState(initialColumn ?? columns[0] ?? '');
  const [method, setMethod] = useState('fingerprint');
  const [ngramSize, setNgramSize] = useState(2);
  const [radius, setRadius] = useState(1);
  const [blocking, setBlocking] = useState(6);
  const [result, setResult] = useState<ClusterResult>();
  const [choices, setChoices] = useState<Choice[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const params = (): Record<string, number> =>
    method === 'ngram-fingerprint'
      ? { ngramSize }
      : method === 'levenshtein'
        ? { radius, blockingNgramSize: blocking }
        : method === 'ppm'
          ? { radius, blockingNgramSize: blocking }
          : {};

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await backend.cluster(datasetId, column, method, params());
      setResult(r);
      setChoices(r.clusters.map((c) => ({ merge: false, to: c.suggested })));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const nearest = (NEAREST_NEIGHBOUR_METHODS as readonly string[]).includes(method);
  const chosen = result ? result.clusters.filter((_, i) => choices[i]?.merge) : [];
  const overlaps = result ? clusterOverlaps(result.clusters, choices) : [];
  const mergeSelected = async () => {
    if (!result) return;
    const edits = result.clusters.flatMap((c, i) => {
      const ch = choices[i];
      if (!ch?.merge) return [];
      const from = c.values.map((v) => v.value).filter((v) => v !== ch.to);
      return from.length ? [{ from, to: ch.to }] : [];
    });
    if (edits.length === 0) return;
    if (await onStep({ op: 'mass-edit', column, edits }, setError)) onClose();
  };
  const mergeAll = async () => {
    const p = params();
    const step = {
      op: 'cluster-merge',
      column,
      method,
      ...(Object.keys(p).length ? { params: p } : {}),
    } as Step;
    if (await onStep(step, setError)) onClose();
  };

  return (
    <Modal title="Cluster and merge" onClose={onClose} testId="cluster-dialog">
      <div className="row wrap">
        <label>
          Column
          <select value={column} onChange={(e) => setColumn(e.target.value)}>
            {columns.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Method
          <select value={method} onChange={(e) => setMethod(e.target.value)}>
            {METHODS.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        {method === 'ngram-fingerprint' && (
          <label>
            n-gram size
            <input
              className="narrow"
              type="number"
              min={1}
              max={10}
              value={ngramSize}
              onChange={(e) => setNgramSize(Number(e.target.value))}
            />
          </label>
        )}
        {(method === 'levenshtein' || method === 'ppm') && (
          <>
            <label>
              radius
              <input
                className="narrow"
                type="number"
                min={0}
                step={0.5}
                value={radius}
                onChange={(e) => setRadius(Number(e.target.value))}
              />
            </label>
            <label>
              block size
              <input
                className="narrow"
                type="number"
                min={1}
                max={20}
                value={blocking}
                onChange={(e) => setBlocking(Number(e.target.value))}
              />
            </label>
          </>
        )}
        <button className="primary" onClick={() => void run()} disabled={busy || !column}>
          {busy ? 'Clustering…' : 'Find clusters'}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {result && result.clusters.length === 0 && (
        <p>No clusters: every value of {column} stands alone with this method.</p>
      )}
      {result && result.clusters.length > 0 && (
        <>
          <p className="muted">
            {result.clusters.length.toLocaleString('en')} clusters. Tick the ones to merge and choose the
            value each becomes.
          </p>
          <div className="clusters">
            <table>
              <thead>
                <tr>
                  <th>Merge?</th>
                  <th>Values in the cluster (rows)</th>
                  <th>New cell value</th>
                </tr>
              </thead>
              <tbody>
                {result.clusters.slice(0, 500).map((c, i) => (
                  <tr key={i} data-testid="cluster">
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Merge cluster ${i + 1}`}
                        checked={choices[i]?.merge ?? false}
                        onChange={(e) =>
                          setChoices(choices.map((x, j) => (j === i ? { ...x, merge: e.target.checked } : x)))
                        }
                      />
                    </td>
                    <td>
                      <ul className="cluster-values">
                        {c.values.map((v) => (
                          <li key={v.value}>
                            <button
                              className="link"
                              onClick={() =>
                                setChoices(choices.map((x, j) => (j === i ? { ...x, to: v.value } : x)))
                              }
                            >
                              <ShownValue value={v.value} />
                            </button>{' '}
                            <span className="muted">({v.count.toLocaleString('en')})</span>
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td>
                      <input
                        aria-label={`New value for cluster ${i + 1}`}
                        value={choices[i]?.to ?? ''}
                        onChange={(e) =>
                          setChoices(choices.map((x, j) => (j === i ? { ...x, to: e.target.value } : x)))
                        }
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {overlaps.length > 0 && (
            <div className="notice small" role="status" data-testid="cluster-overlaps">
              Some values are in more than one selected cluster; each takes the new value of the first cluster
              that changes it:
              <ul>
                {overlaps.slice(0, 10).map((o) => (
                  <li key={o.value}>
                    “{valueLabel(o.value)}” (clusters {o.clusters.join(', ')}) becomes “
                    {valueLabel(o.becomes)}”
                  </li>
                ))}
              </ul>
              {overlaps.length > 10 && <>and {(overlaps.length - 10).toLocaleString('en')} more.</>}
            </div>
          )}
          {readOnly ? (
            <p className="notice small">{readOnly}</p>
          ) : (
            <div className="row">
              <button onClick={() => setChoices(choices.map((x) => ({ ...x, merge: true })))}>
                Select all
              </button>
              <button onClick={() => setChoices(choices.map((x) => ({ ...x, merge: false })))}>
                Select none
              </button>
              <span className="spacer" />
              <button className="primary" disabled={chosen.length === 0} onClick={() => void mergeSelected()}>
                Merge {chosen.length} selected
              </button>
              <button
                onClick={() => void mergeAll()}
                title="Records a cluster-merge step that clusters again on each run, so it also works on new files"
                aria-describedby={nearest ? 'cluster-merge-all-overlaps' : undefined}
              >
                Merge all (re-applicable step)
              </button>
            </div>
          )}
          {!readOnly && nearest && (
            <p
              className="muted small"
              id="cluster-merge-all-overlaps"
              data-testid="cluster-merge-all-overlaps"
            >
              {OVERLAPS_ON_MERGE_ALL}
            </p>
          )}
        </>
      )}
    </Modal>
  );
}
