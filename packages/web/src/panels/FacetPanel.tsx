import type { Backend } from '../api/backend.js';
import type { Step } from '../api/types.js';
import { BlankFacetCard } from '../facets/BlankFacetCard.js';
import { combinedWhere, describeFacet, facetWhere, type Facet } from '../facets/facet-model.js';
import { RangeFacetCard } from '../facets/RangeFacetCard.js';
import { TextFacetCard } from '../facets/TextFacetCard.js';
import { withScope } from '../steps/scope.js';

interface Props {
  backend: Backend;
  datasetId: string;
  /** Changes when the recipe changes: facet counts are fetched again. */
  viewKey: string;
  facets: Facet[];
  onChange: (facets: Facet[]) => void;
  onStep: (step: Step) => Promise<boolean>;
  onError: (e: unknown) => void;
  /** A viewer's facets filter what they see but offer no step (keep, remove, edit). */
  readOnly?: boolean;
}

export function FacetPanel({
  backend,
  datasetId,
  viewKey,
  facets,
  onChange,
  onStep,
  onError,
  readOnly = false,
}: Props) {
  const replace = (old: Facet, f: Facet) => onChange(facets.map((x) => (x === old ? f : x)));
  const remove = (f: Facet) => onChange(facets.filter((x) => x !== f));
  const where = combinedWhere(facets);
  return (
    <section className="panel" aria-labelledby="facets-title" data-testid="facets">
      <h2 id="facets-title">Facets</h2>
      {facets.length === 0 && (
        <p className="muted">
          Open a column’s menu (click its header) and choose a facet to filter rows by value.
        </p>
      )}
      {facets.map((f) => {
        const common = {
          backend,
          datasetId,
          viewKey,
          where: combinedWhere(facets, f),
          onError,
          onRemove: () => remove(f),
        };
        return (
          <div className="facet" key={`${f.kind}:${f.column}`} data-testid={`facet-${f.kind}-${f.column}`}>
            <div className="facet-head">
              <strong>{f.column}</strong>
              <span className="muted"> · {describeFacet(f)}</span>
              <span className="spacer" />
              <button className="link" onClick={() => remove(f)} aria-label={`Remove the ${f.column} facet`}>
                ×
              </button>
            </div>
            {f.kind === 'text' && (
              <TextFacetCard
                {...common}
                facet={f}
                onChange={(n) => replace(f, n)}
                // An edit changes the rows this facet counts: those the other facets select.
                onStep={(s) => onStep(withScope(s, combinedWhere(facets, f)))}
                readOnly={readOnly}
              />
            )}
            {f.kind === 'range' && <RangeFacetCard {...common} facet={f} onChange={(n) => replace(f, n)} />}
            {f.kind === 'blank' && <BlankFacetCard facet={f} onChange={(n) => replace(f, n)} />}
            {facetWhere(f) && !readOnly && (
              <div className="row">
                <button
                  onClick={() =>
                    void onStep({ op: 'filter-rows', where: facetWhere(f)!, keep: true } as Step)
                  }
                  title="Record a step that keeps only the rows this facet selects"
                >
                  Keep these rows
                </button>
                <button
                  onClick={() =>
                    void onStep({ op: 'filter-rows', where: facetWhere(f)!, keep: false } as Step)
                  }
                  title="Record a step that removes the rows this facet selects"
                >
                  Remove these rows
                </button>
              </div>
            )}
          </div>
        );
      })}
      {where && facets.length > 1 && (
        <button className="link" onClick={() => onChange([])}>
          Clear all facets
        </button>
      )}
    </section>
  );
}
