import { StepError } from '@tidyvault/core';
import { describe, expect, it } from 'vitest';
import { BackendError } from './api/backend.js';
import { errorText, openErrorText } from './errors.js';

/** A core StepError as the server and LocalBackend pass it on (location.step is 1-based). */
const fromStep = (e: StepError) =>
  new BackendError(422, e.code, e.message, e.location.step, e.location.column);

describe('errorText', () => {
  it('names the step once, with the number the recipe panel shows', () => {
    const e = fromStep(
      new StepError(
        'RECIPE_PARAM',
        0,
        'replace',
        'find "(" is not a valid RE2 regular expression: missing ): (',
      ),
    );
    expect(errorText(e)).toBe(
      'step 1 (replace): find "(" is not a valid RE2 regular expression: missing ): (',
    );
  });

  it('adds the step and column a message does not name', () => {
    const e = new BackendError(422, 'RECIPE_TYPE', 'not a number', { index: 3, op: 'to-number' }, 'amount');
    expect(errorText(e)).toBe('not a number — step 3 (to-number), column "amount"');
  });

  it('adds only the column when the message names the step', () => {
    const e = fromStep(new StepError('RECIPE_COLUMN', 1, 'trim', 'no such column', 'town'));
    expect(errorText(e)).toBe('step 2 (trim): no such column — column "town"');
  });

  it('is the message of any other error', () => {
    expect(errorText(new Error('boom'))).toBe('boom');
    expect(errorText('plain')).toBe('plain');
  });
});

describe('openErrorText', () => {
  it('names the file once', () => {
    const named = new BackendError(400, 'IMPORT_EMPTY', 'empty.csv: the file is empty');
    expect(openErrorText(named, 'empty.csv')).toBe('empty.csv: the file is empty');
    const unnamed = new BackendError(0, 'CANCELLED', 'upload cancelled');
    expect(openErrorText(unnamed, 'big.csv')).toBe('big.csv: upload cancelled');
    const tooBig = new BackendError(413, 'TOO_BIG_FOR_BROWSER', 'big.csv (2 GB) will not fit in the browser');
    expect(openErrorText(tooBig, 'big.csv')).toBe('big.csv (2 GB) will not fit in the browser');
  });

  it('gives advice for the Open screen, not the CLI flag, on rows with too many fields', () => {
    const csv = new BackendError(
      400,
      'IMPORT_RAGGED',
      'r.csv: line 4: 4 fields, but the header has 3 (pass --ragged extend to add columns for the extra fields)',
    );
    expect(openErrorText(csv, 'r.csv')).toBe(
      "r.csv: line 4: 4 fields, but the header has 3 (choose 'add columns' under How the file is read)",
    );
    const api = new BackendError(
      400,
      'IMPORT_RAGGED',
      'r.csv: line 4: 4 fields, but the header has 3 (upload again with ?ragged=extend to add columns for the extra fields)',
    );
    expect(openErrorText(api, 'r.csv')).toBe(
      "r.csv: line 4: 4 fields, but the header has 3 (choose 'add columns' under How the file is read)",
    );
    for (const advice of ['--delimiter names another', 'upload again with ?delimiter= naming another']) {
      const guessed = new BackendError(
        400,
        'IMPORT_RAGGED',
        `g.csv: line 2: 2 fields, but the header has 1 (pass --ragged extend to add columns for the extra fields). The tab delimiter was a guess: ${advice}`,
      );
      expect(openErrorText(guessed, 'g.csv')).toBe(
        "g.csv: line 2: 2 fields, but the header has 1 (choose 'add columns' under How the file is read). The tab delimiter was a guess: choose the delimiter under How the file is read",
      );
    }
    const sheet = new BackendError(
      400,
      'IMPORT_RAGGED',
      'r.xlsx: sheet row 3: 4 cells, but the header has 3 (pass --ragged extend to add columns)',
    );
    expect(openErrorText(sheet, 'r.xlsx')).toBe(
      "r.xlsx: sheet row 3: 4 cells, but the header has 3 (choose 'add columns' under How the file is read)",
    );
  });
});
