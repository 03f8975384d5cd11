import { TidyvaultError } from '@tidyvault/core';
import { col, inList, lit, select, statement, type LiteralValue, type SettingName } from '@tidyvault/sql';

/** Where DuckDB would look for extensions: a path of the page's own origin that serves none. */
export const defaultExtensionRepository = (): string => `${globalThis.location.origin}/duckdb-ext`;

/**
 * What the locked-down database must report (`duckdb_settings()`). DuckDB-WASM's defaults are
 * open: it autoloads parquet, json and icu (not built in) from extensions.duckdb.org.
 * `enable_external_access` is deliberately left on: off, it also refuses the in-memory files
 * registered from the page (the only way data enters); the page's CSP (`connect-src 'self'`)
 * is what stops any other request.
 */
export function expectedSettings(extensionRepository: string): Record<string, string> {
  return {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    allow_unsigned_extensions: 'false',
    custom_extension_repository: extensionRepository,
    lock_configuration: 'true',
  };
}

/** The statements run right after open, in order (nothing can be set after the last). */
export function lockdownStatements(extensionRepository: string): string[] {
  const set = (name: SettingName, value: LiteralValue) => statement({ kind: 'set', name, value });
  return [
    set('autoinstall_known_extensions', false),
    set('autoload_known_extensions', false),
    set('custom_extension_repository', extensionRepository),
    set('allow_community_extensions', false),
    set('lock_configuration', true),
  ];
}

/** The query whose rows (name, value) the self-check reads. */
export function settingsQuery(extensionRepository: string): string {
  const names = Object.keys(expectedSettings(extensionRepository));
  return select({
    kind: 'select',
    columns: [{ expr: col('name') }, { expr: col('value') }],
    from: { kind: 'tableFunction', fn: 'duckdb_settings', args: [] },
    where: inList(
      col('name'),
      names.map((n) => lit(n)),
    ),
  });
}

/** Refuse to run unless every security setting is what the lock-down requires. */
export function checkSettings(
  actual: Record<string, string>,
  extensionRepository: string,
): Record<string, string> {
  const expected = expectedSettings(extensionRepository);
  const wrong = Object.entries(expected).filter(([k, v]) => actual[k] !== v);
  if (wrong.length > 0) {
    throw new TidyvaultError(
      'EXECUTION',
      `DuckDB-WASM lock-down self-check failed, refusing to run: ${wrong.map(([k, v]) => `${k}=${actual[k] ?? '(missing)'} (expected ${v})`).join(', ')}`,
    );
  }
  return actual;
}
