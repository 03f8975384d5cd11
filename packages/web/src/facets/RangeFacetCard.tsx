import { useEffect, useState } from 'react';
import type { Backend } from '../api/backend.js';
import type { Condition, Histogram as HistogramData } from '../api/types.js';
import { Histogram } from '../charts/Histogram.js';
import type { Facet } from './facet-model.js';
import { parseBound } from './range-bound.js';

type RangeFacet = Extract<Facet, { kind: 'range' }>;

interface Props {
  backend: Backend;
  datasetId: string;
  viewKey: string;
  where: Condition | undefined;
  facet: RangeFacet;
  onChange: (f: RangeFacet) => void;
  onError: (e: unknown) => void;
}

/** A numeric range facet: the column's histogram, and from/to bounds that filter the rows. */
export function RangeFacetCard({ backend, datasetId, viewKey, where, facet, onChange, onError }: Props) {
  const [hist, setHist] = useState<HistogramData>();
  const [from, setFrom] = useState(facet.from?.toString() ?? '');
  const [to, setTo] = useState(facet.to?.toString() ?? '');
  const [invalid, setInvalid] = useState<string>();
  const whereKey = JSON.stringify(where ?? null);
  useEffect(() => {
    let live = true;
    backend.histogram(datasetId, facet.column, 30, where).then(
      (h) => live && setHist(h),
      (e: unknown) => live && onError(e),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [backend, datasetId, facet.column, viewKey, whereKey]);
  return (
    <>
      {hist ? (
        <>
          <Histogram
            edges={hist.bins.map((b) => b.from)}
            counts={hist.bins.map((b) => b.count)}
            label={facet.column}
          />
          <p className="muted small">
            {hist.min === null
              ? 'no numbers'
              : `${hist.min.toLocaleString('en')} to ${hist.max!.toLocaleString('en')}`}
            {hist.missing > 0 ? `; ${hist.missing.toLocaleString('en')} null` : ''}
          </p>
        </>
      ) : (
        <p className="muted">Counting…</p>
      )}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          const lo = parseBound(from);
          const hi = parseBound(to);
          const wrong = 'error' in lo ? lo.error : 'error' in hi ? hi.error : undefined;
          setInvalid(wrong);
          if ('value' in lo && 'value' in hi) onChange({ ...facet, from: lo.value, to: hi.value });
        }}
      >
        <label>
          from{' '}
          <input
            className="narrow"
            inputMode="decimal"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />
        </label>
        <label>
          to{' '}
          <input className="narrow" inputMode="decimal" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {invalid && (
        <p className="error" role="alert">
          {invalid}: the filter is unchanged
        </p>
      )}
    </>
  );
}
