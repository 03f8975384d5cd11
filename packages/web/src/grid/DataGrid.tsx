import {
  DataEditor,
  GridCellKind,
  GridColumnIcon,
  type DataEditorRef,
  type DrawHeaderCallback,
  type GridCell,
  type GridColumn,
  type Item,
  type Rectangle,
  type Theme,
} from '@glideapps/glide-data-grid';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { BackendError } from '../api/backend.js';
import type { Cell, Column, ColumnProfile, RowsPage } from '../api/types.js';
import { shownNumber } from '../format.js';
import { oneLine } from './one-line.js';
import { PageCache } from './page-cache.js';
import { quality } from './quality.js';

const ICONS: Record<Column['type'], GridColumnIcon> = {
  text: GridColumnIcon.HeaderString,
  number: GridColumnIcon.HeaderNumber,
  integer: GridColumnIcon.HeaderNumber,
  date: GridColumnIcon.HeaderDate,
};

export interface GridView {
  /** Changes whenever the rows shown change (recipe, step, filter). */
  key: string;
  fetchPage: (offset: number, limit: number) => Promise<RowsPage>;
}

interface Props {
  view: GridView;
  profile: { rows: number; byName: Map<string, ColumnProfile> } | undefined;
  /** total null: the rows are still being counted (the rows loaded so far are shown meanwhile). */
  onShape: (total: number | null, columns: Column[]) => void;
  onHeader: (column: string, bounds: Rectangle) => void;
  onError: (e: unknown) => void;
  theme: Partial<Theme>;
  /** Scroll so that this row (0-based) is at the top; `n` makes repeated jumps to one row count. */
  jump?: { row: number; n: number };
}

function toCell(v: Cell | undefined): GridCell {
  if (v === undefined) return { kind: GridCellKind.Loading, allowOverlay: false };
  if (v === null)
    return {
      kind: GridCellKind.Text,
      data: '',
      displayData: '∅',
      allowOverlay: true,
      readonly: true,
      themeOverride: { textDark: '#999' },
    };
  if (typeof v === 'number')
    return {
      kind: GridCellKind.Number,
      data: v,
      displayData: shownNumber(v),
      allowOverlay: true,
      readonly: true,
    };
  return { kind: GridCellKind.Text, data: v, displayData: oneLine(v), allowOverlay: true, readonly: true };
}

/**
 * Rows the server stopped computing because their recipe changed meanwhile (an undo while a
 * merge clustered): the view that asked is gone, or about to be.
 */
const stopped = (e: unknown) => e instanceof BackendError && e.code === 'CANCELLED';

export function DataGrid({ view, profile, onShape, onHeader, onError, theme, jump }: Props) {
  const ref = useRef<DataEditorRef>(null);
  const host = useRef<HTMLDivElement>(null);
  const [total, setTotal] = useState(0);
  const [columns, setColumns] = useState<Column[]>([]);
  const shape = useRef({ onShape, onError });
  shape.current = { onShape, onError };

  const live = useRef<PageCache>();
  const cache = useMemo(
    () => {
      let counted: number | null = null;
      let loaded = 0;
      let asked = false;
      const made: PageCache = new PageCache(
        view.fetchPage,
        (first, count, page) => {
          // Rows of a view left meanwhile (an undo while they were computed) are not this view's.
          if (live.current !== made) return;
          if (page.total !== null) counted = page.total;
          loaded = Math.max(loaded, first + count);
          setTotal(counted ?? loaded);
          setColumns((old) => (JSON.stringify(old) === JSON.stringify(page.columns) ? old : page.columns));
          shape.current.onShape(counted, page.columns);
          if (counted === null && !asked) {
            asked = true;
            // The rows came before their count: the grid grows to every row once it is known.
            view.fetchPage(0, 0).then(
              (p) => {
                if (live.current !== made || p.total === null) return;
                counted = p.total;
                setTotal(p.total);
                shape.current.onShape(p.total, p.columns);
              },
              (e: unknown) => {
                if (live.current === made && !stopped(e)) shape.current.onError(e);
              },
            );
          }
          const cells: { cell: Item }[] = [];
          for (let r = first; r < first + count; r++)
            for (let c = 0; c < page.columns.length; c++) cells.push({ cell: [c, r] });
          ref.current?.updateCells(cells);
          // For tests and benchmarks: which page of which view arrived last.
          if (host.current) host.current.dataset.loaded = `${view.key}@${first}`;
        },
        (e) => {
          if (live.current === made && !stopped(e)) shape.current.onError(e);
        },
      );
      return made;
    },
    // A new cache for every new view: its key says when the rows change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [view.key],
  );
  live.current = cache;

  useEffect(() => {
    cache.ensure(0, 100);
  }, [cache]);

  useEffect(() => {
    if (!jump || total === 0) return;
    const row = Math.min(Math.max(0, jump.row), total - 1);
    cache.ensure(row, 60);
    ref.current?.scrollTo(0, row, 'vertical', 0, 0, { vAlign: 'start' });
  }, [jump, total, cache]);

  const gridColumns = useMemo<GridColumn[]>(
    () =>
      columns.map((c) => ({
        id: c.name,
        title: c.name,
        icon: ICONS[c.type],
        hasMenu: true,
        width: Math.min(320, Math.max(110, c.name.length * 9 + 60)),
      })),
    // A new profile means new quality bars: new column objects make the grid redraw its headers.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [columns, profile],
  );

  const getCellContent = useCallback(([col, row]: Item): GridCell => toCell(cache.cell(row, col)), [cache]);

  const drawHeader: DrawHeaderCallback = useCallback(
    (args, drawContent) => {
      drawContent();
      const p = profile?.byName.get(String(args.column.id));
      if (!p || !profile) return;
      const q = quality(p, profile.rows);
      const { ctx, rect } = args;
      const y = rect.y + rect.height - 4;
      let x = rect.x + 4;
      const w = rect.width - 8;
      for (const [share, color] of [
        [q.valid, '#2e9d5b'],
        [q.invalid, '#d9822b'],
        [q.missing, '#b5b5b5'],
      ] as const) {
        if (share <= 0) continue;
        ctx.fillStyle = color;
        ctx.fillRect(x, y, w * share, 3);
        x += w * share;
      }
    },
    [profile],
  );

  return (
    <div ref={host} className="grid-host" data-testid="grid" data-rows={total} data-view={view.key}>
      <DataEditor
        ref={ref}
        columns={gridColumns}
        rows={total}
        getCellContent={getCellContent}
        onVisibleRegionChanged={(r) => cache.ensure(r.y, r.height + 50)}
        onHeaderClicked={(col, e) => {
          const c = columns[col];
          if (c) onHeader(c.name, e.bounds);
        }}
        onHeaderMenuClick={(col, bounds) => {
          const c = columns[col];
          if (c) onHeader(c.name, bounds);
        }}
        drawHeader={drawHeader}
        rowMarkers="number"
        smoothScrollY
        smoothScrollX
        getCellsForSelection
        width="100%"
        height="100%"
        theme={theme}
        headerHeight={40}
      />
    </div>
  );
}
