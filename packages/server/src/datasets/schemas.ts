import { z } from 'zod';

export const columnSchema = z.object({
  name: z.string(),
  type: z.enum(['text', 'number', 'integer', 'date']),
});
export const cellSchema = z.union([z.string(), z.number(), z.null()]);
/** Any id shape is accepted: a malformed id gets the same 404 as an unknown or foreign one. */
export const idParams = z.object({ id: z.string().max(100) });

export const datasetSummary = z.object({
  id: z.string(),
  name: z.string(),
  /** Who uploaded it (and alone may share or delete it). */
  owner: z.string(),
  /** The caller's standing: its owner, or shared with them as editor or viewer. */
  access: z.enum(['owner', 'editor', 'viewer']),
  rows: z.number(),
  columns: z.array(columnSchema),
  createdAt: z.string(),
  expiresAt: z.string(),
});

export const uploadResult = datasetSummary.extend({ warnings: z.array(z.string()) });

/** Recipe and step bodies are checked by core's own parser (exact messages naming the field). */
export const recipeBody = z.object({ recipe: z.unknown() });
export const stepBody = z.object({ step: z.unknown() });

export const historyState = z.object({
  recipe: z.unknown(),
  cursor: z.number(),
  steps: z.number(),
  canUndo: z.boolean(),
  canRedo: z.boolean(),
});

export const datasetDetail = datasetSummary.extend({ history: historyState });

export const shareSchema = z.object({
  user: z.string(),
  role: z.enum(['viewer', 'editor']),
  since: z.string(),
  /** An administrator broke the glass: why, and until when (ISO 8601) the view lasts. */
  breakGlass: z.object({ reason: z.string(), until: z.string() }).optional(),
});

export const sharesView = z.object({
  owner: z.string(),
  /** False when this server has no accounts to share with (single-user mode). */
  sharing: z.boolean(),
  shares: z.array(shareSchema),
});

/**
 * `GET /api/datasets/:id/location`: where the dataset's bytes are, until when, and who used it.
 * Strict, so a key the view adds and this schema does not publish fails (500) instead of vanishing.
 */
export const locationView = z.strictObject({
  id: z.string(),
  where: z.literal('memory'),
  /** The server's process id. */
  process: z.number().int(),
  description: z.string(),
  approxBytes: z.number(),
  approxBytesNote: z.string(),
  bytes: z.object({ source: z.number(), recipeStates: z.number(), uploadedFile: z.number() }),
  recipeStates: z.array(z.object({ steps: z.number().int(), rows: z.number(), bytes: z.number() })),
  engine: z.object({ tableMemoryBytes: z.number(), tableSpilledBytes: z.number(), note: z.string() }),
  /** Files on disk now: DuckDB's spill files, only when the operator turned spilling on. */
  onDisk: z.array(
    z.object({ path: z.string(), bytes: z.number(), inUseBytes: z.number(), what: z.string() }),
  ),
  onDiskNote: z.string(),
  /** Exports built for one download and not yet downloaded. */
  preparedExports: z.array(
    z.object({
      path: z.string(),
      bytes: z.number(),
      format: z.string(),
      user: z.string(),
      until: z.string(),
      what: z.string(),
    }),
  ),
  /** The private folder uploads and prepared exports pass through, and whether it is in RAM. */
  staging: z.object({ folder: z.string(), ramBacked: z.boolean(), what: z.string() }),
  spill: z.enum(['on', 'off']),
  spillDirectory: z.string().optional(),
  owner: z.string(),
  sharedWith: z.array(shareSchema),
  createdAt: z.string(),
  lastAccessAt: z.string(),
  expiresAt: z.string(),
  recentAccesses: z.array(z.object({ at: z.string(), op: z.string(), user: z.string() })),
  caveat: z.string(),
});
