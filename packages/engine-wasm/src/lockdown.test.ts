import { describe, expect, it } from 'vitest';
import { checkSettings, expectedSettings, lockdownStatements, settingsQuery } from './lockdown.js';

const REPO = 'http://127.0.0.1:5177/duckdb-ext';

describe('the DuckDB-WASM lock-down', () => {
  it('turns extension installing and loading off and locks, in that order', () => {
    expect(lockdownStatements(REPO)).toEqual([
      'SET autoinstall_known_extensions = FALSE',
      'SET autoload_known_extensions = FALSE',
      `SET custom_extension_repository = '${REPO}'`,
      'SET allow_community_extensions = FALSE',
      'SET lock_configuration = TRUE',
    ]);
  });

  it('never turns external access off (it would refuse the registered in-memory files)', () => {
    expect(lockdownStatements(REPO).join('\n')).not.toMatch(/enable_external_access/);
    expect(Object.keys(expectedSettings(REPO))).not.toContain('enable_external_access');
  });

  it('reads back every setting it requires', () => {
    for (const name of Object.keys(expectedSettings(REPO)))
      expect(settingsQuery(REPO)).toContain(`'${name}'`);
  });

  it('passes when DuckDB reports every setting as required', () => {
    const actual = { ...expectedSettings(REPO), memory_limit: '3GB' };
    expect(checkSettings(actual, REPO)).toBe(actual);
  });

  it('refuses to run when a setting differs or is missing, naming it', () => {
    expect(() =>
      checkSettings({ ...expectedSettings(REPO), autoload_known_extensions: 'true' }, REPO),
    ).toThrow(/refusing to run: autoload_known_extensions=true \(expected false\)/);
    const { lock_configuration: _, ...unlocked } = expectedSettings(REPO);
    expect(() => checkSettings(unlocked, REPO)).toThrow(/lock_configuration=\(missing\) \(expected true\)/);
    expect(() =>
      checkSettings(
        { ...expectedSettings(REPO), custom_extension_repository: 'http://extensions.duckdb.org' },
        REPO,
      ),
    ).toThrow(/custom_extension_repository=http:\/\/extensions.duckdb.org/);
  });
});
