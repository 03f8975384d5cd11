import type { Recipe, Step } from '@tidyvault/core';

export type Cell = string | number | null;
export interface Column {
  name: string;
  type: 'text' | 'number' | 'integer' | 'date';
}

export interface DatasetSummary {
  id: string;
  name: string;
  rows: number;
  columns: Column[];
  createdAt: string;
  expiresAt: string;
  warnings?: string[];
  /** Server mode: who uploaded it (and alone may share or delete it). */
  owner?: string;
  /** Server mode: the signed-in person's standing on it. */
  access?: 'owner' | 'editor' | 'viewer';
}

export interface Share {
  user: string;
  role: 'viewer' | 'editor';
  since: string;
  /** An administrator broke the glass: why, and until when. */
  breakGlass?: { reason: string; until: string };
}

export interface Shares {
  owner: string;
  /** False on a server without accounts (nobody to share with). */
  sharing: boolean;
  shares: Share[];
}

export interface HistoryState {
  recipe: Recipe;
  cursor: number;
  steps: number;
  canUndo: boolean;
  canRedo: boolean;
}

export interface DatasetDetail extends DatasetSummary {
  history: HistoryState;
}

export interface RowsPage {
  offset: number;
  limit: number;
  /** null: not counted yet (the server's rows of a dedupe or a filter before their state is made); ask with limit 0. */
  total: number | null;
  columns: Column[];
  rows: Cell[][];
}

export type { ColumnProfile, Profile } from '@tidyvault/core';

export interface FacetResult {
  column: string;
  values: { value: string | null; count: number }[];
  truncated: boolean;
}

export interface ClusterResult {
  column: string;
  method: string;
  clusters: { values: { value: string; count: number }[]; suggested: string }[];
}

export interface DuplicatesResult {
  columns: string[];
  tuples: number;
  groups: { score: number; keys: (string | null)[][]; counts: number[] }[];
  truncated: boolean;
}

export interface Location {
  id: string;
  where: 'memory' | 'device';
  description: string;
  approxBytes: number;
  onDisk: { path: string; bytes: number; what: string }[];
  onDiskNote: string;
  spill: 'on' | 'off';
  /** Server mode: the folder uploads pass through, and whether it is in RAM. */
  staging?: { folder: string; ramBacked: boolean; what: string };
  owner: string;
  createdAt: string;
  lastAccessAt: string;
  expiresAt: string;
  recentAccesses: { at: string; user: string; op: string }[];
  /** Server mode: who else may use it, and how. */
  sharedWith?: Share[];
  caveat: string;
}

export interface AuditEvent {
  seq: number;
  time: string;
  actor: string;
  actorKind: 'user' | 'anonymous' | 'system';
  action: string;
  target: string | null;
  result: 'ok' | 'denied' | 'error';
  status: number | null;
  route: string | null;
}

export interface Me {
  user: string;
  /** Set by a server with accounts (`admin` or `member`). */
  role?: string;
  csrfToken: string;
  csrfHeader: string;
}

export type Scalar = string | number;
export type Leaf = {
  column: string;
  op: 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'is-null' | 'not-null' | 'contains' | 'matches';
  value?: Scalar | Scalar[];
};
/** The `where` of a filter-rows step. */
export type Condition = Leaf | { and: Condition[] } | { or: Condition[] } | { not: Condition };

/** What a histogram counts: a number column's values, or any column's value lengths. */
export type HistogramOf = 'value' | 'length';

export interface Histogram {
  column: string;
  min: number | null;
  max: number | null;
  bins: { from: number; to: number; count: number }[];
  /** Rows whose value is null (or not a number) and so in no bin. */
  missing: number;
}

export type { Recipe, Step };

/** A data-source connection the server's operator opened to this user (never its secret). */
export interface DbConnection {
  name: string;
  kind: 'postgres';
  host: string;
  port: number;
  database: string;
  sslmode: 'verify-full' | 'disable';
}

/** What an export to a database table wrote. */
export interface DbExport {
  table: string;
  rows: number;
  columns: number;
}

/** A dataset as an administrator's overview shows it: never its name, columns or cells. */
export interface HeldDataset {
  id: string;
  owner: string;
  rows: number;
  columns: number;
  createdAt: string;
  expiresAt: string;
  shares: number;
}
