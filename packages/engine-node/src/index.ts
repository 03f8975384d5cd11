export { NodeEngine, type ClusterOptions, type NodeEngineOptions } from './node-engine.js';
export { openSandbox, selfCheck, expectedSettings, type SandboxOptions } from './sandbox.js';
export { StagingArea, sweepStaging, stagingRoot } from './staging.js';
export { formatFromName, INPUT_FORMATS } from './import/format.js';
export { unreadableReason } from './unreadable.js';
export type { ImportOptions, InputFormat } from './import/types.js';
export type { TextRow } from './import/rows.js';
export { outputFormatFor, OUTPUT_FORMATS, guardsFormulas, type OutputFormat } from './export/formats.js';
export { guardText, FORMULA_STARTS } from '@tidyvault/core';
export type { ExportOptions } from './export/run-export.js';
export { toCell } from './values.js';
export {
  findDuplicates,
  MAX_DUPLICATE_GROUPS,
  MAX_DUPLICATE_TUPLES,
  type DuplicatesAnswer,
} from './duplicates.js';
export { usableMemory } from './usable-memory.js';
export { SPILL_CLAIM } from './spill-folder.js';
