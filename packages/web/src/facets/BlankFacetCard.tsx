import type { Facet } from './facet-model.js';

type BlankFacet = Extract<Facet, { kind: 'blank' }>;

export function BlankFacetCard({
  facet,
  onChange,
}: {
  facet: BlankFacet;
  onChange: (f: BlankFacet) => void;
}) {
  const pick = (show: BlankFacet['show']) => onChange({ ...facet, show });
  return (
    <div className="row" role="radiogroup" aria-label={`Blank rows of ${facet.column}`}>
      {(
        [
          [undefined, 'all rows'],
          ['blank', 'blank or null'],
          ['filled', 'filled'],
        ] as const
      ).map(([v, label]) => (
        <label key={label}>
          <input type="radio" checked={facet.show === v} onChange={() => pick(v)} /> {label}
        </label>
      ))}
    </div>
  );
}
