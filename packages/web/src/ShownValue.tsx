import { valueParts } from './shown-value.js';

/** A value in a list (facet, profile, clusters, duplicates), its hidden whitespace marked. */
export function ShownValue({ value }: { value: string | number | null }) {
  if (value === null) return <span className="muted">(null)</span>;
  if (value === '') return <span className="muted">(empty)</span>;
  if (typeof value === 'number') return <>{String(value)}</>;
  return (
    <>
      {valueParts(value).map((p, i) =>
        'text' in p ? (
          <span key={i}>{p.text}</span>
        ) : (
          <span key={i} className="ws-mark" title={p.name} aria-label={p.name} role="img">
            {p.mark}
          </span>
        ),
      )}
    </>
  );
}
