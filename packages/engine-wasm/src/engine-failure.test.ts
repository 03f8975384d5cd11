import { describe, expect, it } from 'vitest';
import { engineFailure, isEngineBroken } from './engine-failure.js';

describe('isEngineBroken', () => {
  it('recognises a failed engine, as DuckDB-WASM reports it', () => {
    for (const m of [
      'unique_lock::unlock: not locked',
      'FATAL Error: Failed: database has been invalidated because of a previous fatal error.',
      'INTERNAL Error: Attempted to access index 3 within vector of size 3',
      'RuntimeError: memory access out of bounds',
      'RuntimeError: unreachable',
      'Aborted(OOM)',
    ])
      expect(isEngineBroken(m), m).toBe(true);
  });

  it('leaves the errors of a working engine to their own wording', () => {
    for (const m of [
      'Conversion Error: Could not convert string "x" to INT32',
      'Out of Memory Error: failed to allocate data of size 16.0 MiB (3.0 GiB/3.0 GiB used)',
      'Binder Error: Referenced column "nope" not found',
      'Invalid Input Error: Could not parse string "std" according to format specifier',
      // A value quoted by DuckDB that looks like a runtime message.
      'Conversion Error: Could not convert string "std::mutex" to INT32',
    ])
      expect(isEngineBroken(m), m).toBe(false);
  });
});

describe('engineFailure', () => {
  it('says what failed and what to do, with the engine’s first line only', () => {
    const e = engineFailure('unique_lock::unlock: not locked\nat line 2', 'big.csv: loading it');
    expect(e.message).toMatch(
      /^big\.csv: loading it: DuckDB-WASM in this tab stopped working \(unique_lock::unlock: not locked\)/,
    );
    expect(e.message).toContain('reload the tab');
    expect(e.message).not.toContain('line 2');
  });
});
