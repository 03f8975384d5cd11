import { useEffect, useState } from 'react';
import type { HttpBackend } from '../api/http-backend.js';
import type { AuditEvent } from '../api/types.js';
import { errorText } from '../errors.js';
import { Modal } from './Modal.js';

/** The server's tamper-evident record of what this person did (and what it did to their data). */
export function AuditDialog({ server, onClose }: { server: HttpBackend; onClose: () => void }) {
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string>();
  const [loaded, setLoaded] = useState(false);
  const load = (before?: number) =>
    server.audit(before).then(
      (r) => {
        setEvents((old) => (before === undefined ? r.events : [...old, ...r.events]));
        setNext(r.next);
        setLoaded(true);
      },
      (e: unknown) => setError(errorText(e)),
    );
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [server]);
  return (
    <Modal title="Activity on the server" onClose={onClose} testId="audit-dialog">
      <p className="muted">
        The server&apos;s audit log of your sign-ins, uploads, views, steps, exports and deletions, and of the
        datasets it deleted when they expired. It holds no cell values, file names or column names; the
        operator can prove it was not edited (<code>tidyvault audit verify</code>).
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {loaded && events.length === 0 && <p>Nothing recorded yet.</p>}
      {events.length > 0 && (
        <div className="clusters">
          <table>
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>What</th>
                <th>Dataset</th>
                <th>Result</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.seq} data-testid="audit-event">
                  <td>{new Date(e.time).toLocaleString()}</td>
                  <td>{e.actorKind === 'system' ? 'the server' : e.actor}</td>
                  <td>{e.action.replaceAll('_', ' ')}</td>
                  <td className="muted">{e.target ? `${e.target.slice(0, 8)}…` : ''}</td>
                  <td className={e.result === 'ok' ? '' : 'error-text'}>
                    {e.result}
                    {e.status ? ` (${e.status})` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next !== null && <button onClick={() => void load(next)}>Older</button>}
    </Modal>
  );
}
