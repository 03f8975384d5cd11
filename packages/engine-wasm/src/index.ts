export { WasmEngine, type ClusterOptions, type LoadOptions, type WasmEngineOptions } from './wasm-engine.js';
export { inputFormat, INPUT_FORMATS, type InputFormat } from './import/format.js';
export { pickBundle, type Bundle } from './bundles.js';
export { expectedSettings, defaultExtensionRepository } from './lockdown.js';
export type { CsvImportOptions } from './import/csv.js';
