import type { Cell, Column, RowsPage } from '../api/types.js';

export const PAGE_ROWS = 200;

/**
 * Rows fetched a page at a time, as the grid scrolls. A new view (another recipe state or
 * filter) is a new cache: answers for an old view are dropped when they arrive.
 */
export class PageCache {
  private readonly pages = new Map<number, Cell[][]>();
  private readonly pending = new Set<number>();

  constructor(
    private readonly fetchPage: (offset: number, limit: number) => Promise<RowsPage>,
    private readonly onPage: (first: number, count: number, page: RowsPage) => void,
    private readonly onError: (e: unknown) => void,
  ) {}

  cell(row: number, col: number): Cell | undefined {
    const page = this.pages.get(Math.floor(row / PAGE_ROWS));
    return page?.[row % PAGE_ROWS]?.[col];
  }

  has(row: number): boolean {
    return this.pages.has(Math.floor(row / PAGE_ROWS));
  }

  /** Make sure rows [first, first+count) are loaded or on their way. */
  ensure(first: number, count: number): void {
    const from = Math.floor(Math.max(0, first) / PAGE_ROWS);
    const to = Math.floor(Math.max(0, first + count - 1) / PAGE_ROWS);
    for (let p = from; p <= to; p++) this.load(p);
  }

  private load(p: number): void {
    if (this.pages.has(p) || this.pending.has(p)) return;
    this.pending.add(p);
    this.fetchPage(p * PAGE_ROWS, PAGE_ROWS).then(
      (page) => {
        this.pending.delete(p);
        this.pages.set(p, page.rows);
        this.onPage(p * PAGE_ROWS, page.rows.length, page);
      },
      (e: unknown) => {
        this.pending.delete(p);
        this.onError(e);
      },
    );
  }

  /** The rows loaded around `row`, for previews (at most `n`). */
  sample(column: number, n: number): Cell[] {
    const out: Cell[] = [];
    for (const page of this.pages.values()) {
      for (const r of page) {
        if (out.length >= n) return out;
        out.push(r[column] ?? null);
      }
    }
    return out;
  }
}

export type { Column };
