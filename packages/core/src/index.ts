export * from './errors.js';
export { formatBytes } from './format-bytes.js';
export { formatDate } from './format-date.js';
export type { Column, ColumnType, EngineCheck, StepDefinition } from './steps/types.js';
export {
  describeStep,
  ROW_SCOPED_OPS,
  rowScopeOf,
  STEP_DEFINITIONS,
  STEP_OPS,
  stepDefinition,
  type Step,
  type StepOp,
} from './steps/registry.js';
export { describeCondition, type Condition } from './steps/condition.js';
export { BLANK_PATTERN, WS_CHARS, recipeExecutionError } from './steps/common.js';
export { valueChecks, type ValueCheck } from './steps/value-checks.js';
export { tryParseDate } from './steps/date-parse.js';
export {
  keepsRowOrder,
  keepsRowsInPlace,
  shapes,
  staysInPlace,
  stepInfo,
  stepInfos,
  stepShape,
  unchangedColumns,
  type StepInfo,
  type StepShape,
} from './steps/step-shape.js';
export {
  answersFromFirstRows,
  firstRowsPage,
  headPageQuery,
  pagePlan,
  prefixPageQuery,
  rangePageQuery,
  type PagePlan,
} from './steps/page-plan.js';
export { dedupeCountQuery, distinctRowsCountQuery } from './dedupe/distinct-rows.js';
export { recipeSchema, stepSchema, MAX_STEPS, type Recipe } from './recipe/schema.js';
export { parseRecipe, parseRecipeText, parseStep } from './recipe/parse.js';
export { recipeJsonSchema } from './recipe/json-schema.js';
export { viewFilterError, viewFilterMessage } from './recipe/view-filter.js';
export { analyzeRecipe, inferInputColumns, ROW_ID, type Analysis } from './compile/analyze.js';
export { compileRecipe, recipeSql, type CompiledRecipe, type CompileOptions } from './compile/compile.js';
export { compileOnTable, forTableInRowIdOrder, type OnTableOptions } from './compile/on-table.js';
export * from './history/history.js';
export type * from './engine/engine.js';
export * from './engine/conformance.js';
export * from './cluster/methods.js';
export * from './cluster/keyers/index.js';
export * from './cluster/key-table.js';
export * from './cluster/knn-map.js';
export * from './cluster/cluster-tables.js';
export * from './profile/profile-query.js';
export { ProfileMemo, type ComputeProfile } from './profile/profile-memo.js';
export * from './cluster/cluster-query.js';
export { firstRecord, leadingBlankLines } from './text/first-record.js';
export * from './import/index.js';
export { compareCodePoints } from './text/code-points.js';
export { withSortedKeys } from './text/sorted-keys.js';
export * from './cluster/knn/index.js';
export {
  dedupeGroupsStep,
  fuzzyDuplicateGroups,
  normaliseForMatch,
  type DedupeRow,
  type DuplicateGroup,
  type FuzzyDedupeOptions,
  type FuzzyDedupeParams,
  checkDuplicateColumns,
  duplicateCandidates,
  duplicateTuplesQuery,
  MAX_DUPLICATE_GROUPS,
  MAX_DUPLICATE_TUPLES,
  type DuplicatesAnswer,
  type DuplicatesParams,
} from './dedupe/index.js';
export * from './facet/facet-query.js';
export * from './export/index.js';
export * from './xlsx-read/index.js';
export { findUtf8Break, mixedEncodingError, type Utf8Break } from './import/utf8-break.js';
