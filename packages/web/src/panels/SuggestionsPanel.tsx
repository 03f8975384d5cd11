import { useMemo, useState } from 'react';
import type { Profile, Step } from '../api/types.js';
import { suggest } from '../steps/suggestions.js';

export function SuggestionsPanel({
  profile,
  onApply,
}: {
  profile: Profile | undefined;
  onApply: (s: Step) => Promise<boolean>;
}) {
  const [dismissed, setDismissed] = useState<Set<string>>(new Set());
  const list = useMemo(() => (profile ? suggest(profile.columns, profile.rows) : []), [profile]);
  const shown = list.filter((s) => !dismissed.has(`${s.column}:${s.action}`));
  return (
    <section className="panel" aria-labelledby="suggestions-title" data-testid="suggestions">
      <h2 id="suggestions-title">Suggestions</h2>
      {!profile && <p className="muted">Profiling the columns…</p>}
      {profile && shown.length === 0 && <p className="muted">Nothing obvious to fix.</p>}
      <ul className="suggestions">
        {shown.slice(0, 12).map((s) => (
          <li key={`${s.column}:${s.action}`}>
            <span>
              <strong>{s.column}</strong>: {s.text}
            </span>
            <span className="row">
              <button aria-label={`${s.action}: ${s.column}`} onClick={() => void onApply(s.step)}>
                {s.action}
              </button>
              <button
                className="link"
                aria-label={`Dismiss: ${s.column} ${s.action}`}
                onClick={() => setDismissed(new Set([...dismissed, `${s.column}:${s.action}`]))}
              >
                dismiss
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
