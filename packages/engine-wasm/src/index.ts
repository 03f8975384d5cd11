export { WasmEngine, type ClusterOptions, type LoadOptions, type WasmEngineOptions } from './wasm-engine.js';
export { inputFormat, INPUT_FORMATS, type InputFormat } from './import/format.js';
export { pickBundle, type Bundle } from './bundles.js';
export { expectedSettings, defaultExtensionRepository } from './lockdown.js';
export type { CsvImportOptions } from './import/csv.js';
export {
  estimateFootprint,
  formatSize,
  TABLE_BYTES_PER_FILE_BYTE,
  USABLE_HEAP_BYTES,
  WASM_HEAP_BYTES,
  WORKING_FACTOR,
  type Estimate,
} from './estimate.js';
