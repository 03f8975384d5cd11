import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

interface Props {
  /** Bin lower edges and counts. */
  edges: number[];
  counts: number[];
  label: string;
  height?: number;
}

/** A bar histogram drawn by uPlot on a canvas (no inline styles: the CSP forbids them). */
export function Histogram({ edges, counts, label, height = 90 }: Props) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el || edges.length === 0) return;
    const bars = uPlot.paths.bars!({ size: [0.9, 60] });
    const plot = new uPlot(
      {
        width: Math.max(160, el.clientWidth),
        height,
        legend: { show: false },
        cursor: { show: false },
        // Bars start at zero, so their heights compare as counts do.
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          { size: 24, font: '10px system-ui', stroke: '#888', grid: { show: false } },
          { size: 48, font: '10px system-ui', stroke: '#888', grid: { stroke: 'rgba(128,128,128,0.2)' } },
        ],
        series: [
          {},
          {
            label,
            fill: 'rgba(46,125,205,0.55)',
            stroke: 'rgb(46,125,205)',
            paths: bars,
            points: { show: false },
          },
        ],
      },
      [edges, counts],
      el,
    );
    return () => plot.destroy();
  }, [edges, counts, label, height]);
  return <div ref={host} className="histogram" role="img" aria-label={`Histogram of ${label}`} />;
}
