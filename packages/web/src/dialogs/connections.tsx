import { useEffect, useState } from 'react';
import type { HttpBackend } from '../api/http-backend.js';
import type { DbConnection } from '../api/types.js';

/** The PostgreSQL connections open to this user, and the one chosen (the first at start). */
export function useConnections(server: HttpBackend) {
  const [connections, setConnections] = useState<DbConnection[]>([]);
  const [chosen, setChosen] = useState('');
  useEffect(() => {
    server.connections().then(
      (c) => {
        setConnections(c);
        setChosen(c[0]?.name ?? '');
      },
      () => setConnections([]),
    );
  }, [server]);
  return { connections, chosen, setChosen };
}

export function ConnectionSelect({
  connections,
  value,
  onChange,
}: {
  connections: DbConnection[];
  value: string;
  onChange: (name: string) => void;
}) {
  return (
    <label>
      Connection
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {connections.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name} ({c.database} on {c.host})
          </option>
        ))}
      </select>
    </label>
  );
}
