export { WasmEngine, type WasmEngineOptions } from './wasm-engine.js';
export { pickBundle, type Bundle } from './bundles.js';
export { expectedSettings, defaultExtensionRepository } from './lockdown.js';
export type { CsvImportOptions } from './import/csv.js';
