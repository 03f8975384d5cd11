import { useEffect, useState } from 'react';
import type { HttpBackend } from '../api/http-backend.js';
import type { Shares } from '../api/types.js';
import { errorText } from '../errors.js';
import { Modal } from './Modal.js';

interface Props {
  server: HttpBackend;
  datasetId: string;
  onClose: () => void;
  /** After a share is granted or revoked (the protection panel shows who can reach the data). */
  onChanged: () => void;
}

/** The owner shares the dataset with a user as viewer or editor, sees who has it, and revokes. */
export function ShareDialog({ server, datasetId, onClose, onChanged }: Props) {
  const [shares, setShares] = useState<Shares>();
  const [user, setUser] = useState('');
  const [role, setRole] = useState<'viewer' | 'editor'>('viewer');
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    server.shares(datasetId).then(
      (s) => live && setShares(s),
      (e: unknown) => live && setProblem(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [server, datasetId]);

  const run = async (f: () => Promise<Shares>) => {
    setBusy(true);
    setProblem(undefined);
    try {
      setShares(await f());
      onChanged();
      return true;
    } catch (e) {
      setProblem(errorText(e));
      return false;
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title="Share this dataset" onClose={onClose} testId="share-dialog">
      {shares && !shares.sharing ? (
        <p>
          This server runs for one person (no accounts), so there is no one to share with. Start it with{' '}
          <code>--auth local</code> to share datasets.
        </p>
      ) : (
        <>
          <p className="small muted">
            A <strong>viewer</strong> can see, facet and export the data; an <strong>editor</strong> can also
            change the recipe. Only you can share, revoke or delete it. Shares end when the dataset is deleted
            or expires.
          </p>
          <form
            className="row wrap"
            onSubmit={(e) => {
              e.preventDefault();
              const name = user.trim();
              if (name !== '')
                void run(() => server.share(datasetId, name, role)).then((ok) => ok && setUser(''));
            }}
          >
            <label className="inline">
              User name
              <input value={user} onChange={(e) => setUser(e.target.value)} autoComplete="off" />
            </label>
            <label className="inline">
              Role
              <select value={role} onChange={(e) => setRole(e.target.value as 'viewer' | 'editor')}>
                <option value="viewer">viewer</option>
                <option value="editor">editor</option>
              </select>
            </label>
            <button type="submit" disabled={busy || user.trim() === ''}>
              Share
            </button>
          </form>
          {problem && (
            <p className="error" role="alert">
              {problem}
            </p>
          )}
          <h3>Who has it</h3>
          {!shares ? (
            <p className="muted">Asking the server…</p>
          ) : (
            <ul className="small" data-testid="share-list">
              <li>{shares.owner} — owner</li>
              {shares.shares.map((s) => (
                <li key={s.user}>
                  {s.user} — {s.role}, since {new Date(s.since).toLocaleString()}
                  {s.breakGlass &&
                    ` — break-glass until ${new Date(s.breakGlass.until).toLocaleTimeString()}: “${s.breakGlass.reason}”`}{' '}
                  <button
                    className="link"
                    disabled={busy}
                    onClick={() => void run(() => server.unshare(datasetId, s.user))}
                    aria-label={`Revoke ${s.user}'s access`}
                  >
                    revoke
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Modal>
  );
}
