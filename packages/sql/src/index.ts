export type * from './ast.js';
export * from './build.js';
export { expr, literal, select, statement } from './codegen.js';
export { FUNCTIONS, TABLE_FUNCTIONS, isFunctionName, isTableFunctionName } from './functions.js';
export type { FunctionName, TableFunctionName } from './functions.js';
export { quoteIdentifier, quoteString, SqlQuoteError } from './quote.js';
