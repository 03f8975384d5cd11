import { useEffect, useState } from 'react';
import type { Backend } from '../api/backend.js';
import type { DatasetSummary } from '../api/types.js';
import { countdown, plural } from '../format.js';

interface Props {
  backend: Backend;
  onOpen: (d: DatasetSummary) => void;
  onError: (e: unknown) => void;
}

/** The datasets this person still has on the server (after a reload, say): open or delete each. */
export function DatasetList({ backend, onOpen, onError }: Props) {
  const [list, setList] = useState<DatasetSummary[]>();
  const [now, setNow] = useState(Date.now());
  const [confirming, setConfirming] = useState<string>();
  useEffect(() => {
    let live = true;
    backend.list().then(
      (l) => live && setList(l),
      (e: unknown) => live && onError(e),
    );
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      live = false;
      clearInterval(tick);
    };
  }, [backend, onError]);
  if (!list || list.length === 0) return null;
  const remove = async (d: DatasetSummary) => {
    try {
      await backend.remove(d.id);
      setList(list.filter((x) => x.id !== d.id));
    } catch (e) {
      onError(e);
    }
  };
  return (
    <section aria-labelledby="datasets-title" data-testid="dataset-list">
      <h2 id="datasets-title">Your datasets on this server, and those shared with you</h2>
      <ul className="datasets">
        {list.map((d) => (
          <li key={d.id}>
            <span>
              <strong>{d.name}</strong>{' '}
              <span className="muted">
                {plural(d.rows, 'row')} × {plural(d.columns.length, 'column')}; deleted automatically{' '}
                {countdown(Date.parse(d.expiresAt) - now)}
              </span>
              {d.access && d.access !== 'owner' && (
                <span className="muted" data-testid="shared-by">
                  {' '}
                  — shared by {d.owner}; you are {d.access === 'viewer' ? 'a viewer' : 'an editor'}
                </span>
              )}
            </span>
            <span className="row">
              <button onClick={() => onOpen(d)}>Open</button>
              {(d.access ?? 'owner') === 'owner' &&
                (confirming === d.id ? (
                  <>
                    <span>Delete it from the server now?</span>
                    <button
                      className="danger"
                      onClick={() => void remove(d)}
                      aria-label={`Delete ${d.name} now`}
                    >
                      Delete now
                    </button>
                    <button className="link" onClick={() => setConfirming(undefined)}>
                      cancel
                    </button>
                  </>
                ) : (
                  <button className="danger" onClick={() => setConfirming(d.id)}>
                    Delete…
                  </button>
                ))}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
