import { useState } from 'react';
import type { HttpBackend } from '../api/http-backend.js';
import type { DbExport } from '../api/types.js';
import { errorText } from '../errors.js';
import { ConnectionSelect, useConnections } from './connections.js';

/** Write the cleaned data to a new PostgreSQL table, through a connection open to this user. */
export function DatabaseExport({ server, datasetId }: { server: HttpBackend; datasetId: string }) {
  const { connections, chosen: connection, setChosen: setConnection } = useConnections(server);
  const [table, setTable] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<DbExport>();
  const [error, setError] = useState<string>();
  if (connections.length === 0) return null;

  const run = async () => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      setDone(await server.exportPostgres(datasetId, connection, table.trim()));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section data-testid="database-export">
      <h3>To a database</h3>
      <div className="row wrap">
        <ConnectionSelect connections={connections} value={connection} onChange={setConnection} />
        <label>
          New table
          <input value={table} placeholder="schema.table" onChange={(e) => setTable(e.target.value)} />
        </label>
      </div>
      <p className="muted small">
        The table is created and filled in one transaction; an existing table is never overwritten.
      </p>
      <button disabled={busy || table.trim() === ''} onClick={() => void run()}>
        {busy ? 'Writing…' : 'Write to the new table'}
      </button>
      {done && (
        <p role="status" data-testid="database-export-done">
          Wrote {done.rows.toLocaleString('en-US')} rows and {done.columns} columns to {done.table}.
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
