import { useEffect, useState } from 'react';
import type { HttpBackend } from '../api/http-backend.js';
import type { DatasetSummary, HeldDataset } from '../api/types.js';
import { errorText } from '../errors.js';
import { plural } from '../format.js';

/**
 * For administrators: every dataset the server holds (owner, size, expiry; never names or data),
 * and break-glass to view one that is not theirs, with a reason and their password again.
 */
export function AdminPanel({
  server,
  me,
  onOpen,
}: {
  server: HttpBackend;
  me: string;
  onOpen: (d: DatasetSummary) => void;
}) {
  const [held, setHeld] = useState<HeldDataset[]>();
  const [glass, setGlass] = useState<string>();
  const [reason, setReason] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  useEffect(() => {
    // A server without accounts holds no one else's datasets: no listing (each is an audit event).
    server
      .mode()
      .then((m) => (m.mode === 'single' ? [] : server.heldDatasets()))
      .then(setHeld, () => setHeld([]));
  }, [server]);
  const others = held?.filter((d) => d.owner !== me) ?? [];
  if (others.length === 0) return null;

  const breakGlass = async (id: string) => {
    setBusy(true);
    setError(undefined);
    try {
      if (password !== '') await server.reauth(password);
      await server.breakGlass(id, reason);
      onOpen(await server.dataset(id));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="admin-title" data-testid="admin-datasets">
      <h2 id="admin-title">Every dataset on this server (administrators)</h2>
      <p className="muted small">
        Names, columns and cells stay private. To look inside someone else&rsquo;s dataset, break the glass:
        its owner sees it, with your reason, and the audit log records it.
      </p>
      <ul className="datasets">
        {others.map((d) => (
          <li key={d.id}>
            <span>
              <strong>{d.owner}</strong>{' '}
              <span className="muted">
                {plural(d.rows, 'row')} × {plural(d.columns, 'column')}, since{' '}
                {new Date(d.createdAt).toLocaleString()} ({d.id.slice(0, 8)}…)
              </span>
            </span>
            <button onClick={() => setGlass(glass === d.id ? undefined : d.id)}>Break the glass…</button>
            {glass === d.id && (
              <div className="options" data-testid="break-glass-form">
                <label>
                  Reason (the owner will see it)
                  <textarea rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
                </label>
                <label>
                  Your password (not needed within 5 minutes of signing in)
                  <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} />
                </label>
                <button className="danger" disabled={busy} onClick={() => void breakGlass(d.id)}>
                  View it for 15 minutes
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
