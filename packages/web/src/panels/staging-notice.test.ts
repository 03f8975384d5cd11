import { describe, expect, it } from 'vitest';
import { stagingNotice } from './staging-notice.js';

describe('the staging notice of the protection panel', () => {
  it('speaks only when the server staged the upload on a disk', () => {
    const staging = { folder: '/tmp/tidyvault-staging-1-ab', ramBacked: false, what: '' };
    expect(stagingNotice({ staging })).toMatch(
      /passed through \/tmp\/tidyvault-staging-1-ab on the server's disk/,
    );
    expect(stagingNotice({ staging: { ...staging, ramBacked: true } })).toBeUndefined();
    expect(stagingNotice({})).toBeUndefined();
  });
});
