export type * from './ast.js';
export * from './build.js';
export { expr, literal, select, statement } from './codegen.js';
export {
  FUNCTIONS,
  SETTINGS,
  TABLE_FUNCTIONS,
  isFunctionName,
  isSettingName,
  isTableFunctionName,
} from './functions.js';
export type { FunctionName, SettingName, TableFunctionName } from './functions.js';
export { quoteIdentifier, quoteString, SqlQuoteError } from './quote.js';
export { tableReferences } from './references.js';
