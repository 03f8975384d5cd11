import { useState } from 'react';
import type { HttpBackend } from '../api/http-backend.js';
import type { DatasetSummary } from '../api/types.js';
import { errorText } from '../errors.js';
import { ConnectionSelect, useConnections } from './connections.js';

/**
 * Import from a PostgreSQL connection the server's operator opened to this user: a table, or a
 * read-only query. Shows nothing when there is none.
 */
export function DatabaseImport({
  server,
  onOpened,
}: {
  server: HttpBackend;
  onOpened: (d: DatasetSummary) => void;
}) {
  const { connections, chosen: connection, setChosen: setConnection } = useConnections(server);
  const [kind, setKind] = useState<'table' | 'query'>('table');
  const [source, setSource] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  if (connections.length === 0) return null;

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const from = kind === 'table' ? { table: source.trim() } : { query: source };
      onOpened(await server.importPostgres(connection, from));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const chosen = connections.find((c) => c.name === connection);
  return (
    <section className="database-import" data-testid="database-import">
      <h3>Or import from a database</h3>
      <div className="row wrap">
        <ConnectionSelect connections={connections} value={connection} onChange={setConnection} />
        <label className="check">
          <input type="radio" name="db-source" checked={kind === 'table'} onChange={() => setKind('table')} />{' '}
          A table
        </label>
        <label className="check">
          <input type="radio" name="db-source" checked={kind === 'query'} onChange={() => setKind('query')} />{' '}
          A read-only query
        </label>
      </div>
      {kind === 'table' ? (
        <label>
          Table
          <input value={source} placeholder="schema.table" onChange={(e) => setSource(e.target.value)} />
        </label>
      ) : (
        <label>
          Query
          <textarea
            rows={3}
            value={source}
            placeholder="SELECT …"
            onChange={(e) => setSource(e.target.value)}
          />
        </label>
      )}
      <p className="muted small">
        {chosen?.sslmode === 'disable'
          ? 'This connection does not use TLS: the data crosses the network unencrypted.'
          : 'Over TLS, the database server’s certificate checked.'}{' '}
        The rows are held in this server’s memory only, as an upload’s are.
      </p>
      <button className="primary" disabled={busy || source.trim() === ''} onClick={() => void run()}>
        {busy ? 'Importing…' : 'Import'}
      </button>
      {error && (
        <p className="error" role="alert" data-testid="database-import-error">
          {error}
        </p>
      )}
    </section>
  );
}
