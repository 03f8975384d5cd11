import { describe, expect, it } from 'vitest';
import { toErrorBody } from './errors.js';

describe('toErrorBody', () => {
  it('answers an engine out of memory in any request with 507, never 500, and without its details', () => {
    const e = new Error(
      'Out of Memory Error: failed to allocate data of size 32.0 MiB (953.5 MiB/953.6 MiB used)',
    );
    const { status, body } = toErrorBody(e);
    expect(status).toBe(507);
    expect(body.error.code).toBe('OUT_OF_MEMORY');
    expect(body.error.message).toMatch(/not enough memory .*--memory-limit/);
    expect(body.error.message).not.toMatch(/MiB/);
  });

  it('answers anything else unexpected with a bare 500', () => {
    expect(toErrorBody(new Error('Binder Error: secret column "salary"'))).toEqual({
      status: 500,
      body: { error: { code: 'INTERNAL', message: 'internal error' } },
    });
  });
});
