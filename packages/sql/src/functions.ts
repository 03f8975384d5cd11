/**
 * The closed list of DuckDB functions steps may call. Codegen refuses any other name, so a
 * user string can never become a function name.
 */
export const FUNCTIONS = [
  'abs',
  'any_value',
  'arg_min_null',
  'array_to_string',
  'avg',
  'chr',
  'coalesce',
  'concat',
  'concat_ws',
  'contains',
  'count',
  'first_value',
  'greatest',
  'hash',
  'signbit',
  'isfinite',
  'json_extract_string',
  'json_keys',
  'json_transform',
  'json_type',
  'generate_subscripts',
  'unnest',
  'arg_min',
  'to_json',
  'last_value',
  'least',
  'left',
  'length',
  'list',
  'list_contains',
  'list_distinct',
  'list_filter',
  'list_sort',
  'list_transform',
  'lower',
  'ltrim',
  'max',
  'median',
  'min',
  'nullif',
  'printf',
  'range',
  'regexp_extract',
  'regexp_extract_all',
  'regexp_full_match',
  'regexp_matches',
  'regexp_replace',
  'replace',
  'row_number',
  'rtrim',
  'starts_with',
  'strftime',
  'string_split',
  'string_split_regex',
  'strip_accents',
  'strlen',
  'strptime',
  'substr',
  'sum',
  'translate',
  'trunc',
  'trim',
  'try_strptime',
  'epoch_us',
  'error',
  'make_timestamp',
  'typeof',
  'upper',
] as const;

export type FunctionName = (typeof FUNCTIONS)[number];

export const TABLE_FUNCTIONS = [
  'read_csv',
  'read_parquet',
  'read_json',
  'read_json_objects',
  'duckdb_settings',
  'duckdb_extensions',
  'duckdb_memory',
  'duckdb_temporary_files',
] as const;
export type TableFunctionName = (typeof TABLE_FUNCTIONS)[number];

const functionSet: ReadonlySet<string> = new Set(FUNCTIONS);
const tableFunctionSet: ReadonlySet<string> = new Set(TABLE_FUNCTIONS);

export function isFunctionName(name: string): name is FunctionName {
  return functionSet.has(name);
}

export function isTableFunctionName(name: string): name is TableFunctionName {
  return tableFunctionSet.has(name);
}

/** Settings the engine may change (at start, before the configuration is locked). */
export const SETTINGS = [
  'allowed_paths',
  'allowed_directories',
  'enable_progress_bar',
  'enable_progress_bar_print',
  'enable_external_access',
  'lock_configuration',
  // DuckDB-WASM has no create options for these: set right after open, before the lock.
  'autoinstall_known_extensions',
  'autoload_known_extensions',
  'custom_extension_repository',
  'allow_community_extensions',
] as const;
export type SettingName = (typeof SETTINGS)[number];
const settingSet: ReadonlySet<string> = new Set(SETTINGS);
export const isSettingName = (name: string): name is SettingName => settingSet.has(name);
