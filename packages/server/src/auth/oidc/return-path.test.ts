import { describe, expect, it } from 'vitest';
import { safeReturnPath } from './return-path.js';

describe('the path a sign-in returns to (control 7)', () => {
  it.each([
    '//evil.example',
    '/\\evil.example',
    '\\\\evil',
    'https://evil.example',
    '///evil.example',
    '/%2F%2Fevil',
    '/%2f%2fevil',
    '/%5Cevil.example',
    'javascript:alert(1)',
    '/\tjavascript:alert(1)',
    '/\n/evil.example',
    'evil.example',
    '',
    '/%E0%A4%A',
    '/auth/oidc/login',
    `/${'a'.repeat(3000)}`,
  ])('sends %j to /', (next) => {
    expect(safeReturnPath(next)).toBe('/');
  });

  it('keeps a path on this server, with its query and fragment', () => {
    expect(safeReturnPath('/')).toBe('/');
    expect(safeReturnPath('/datasets?x=1#top')).toBe('/datasets?x=1#top');
    expect(safeReturnPath('/a/../b')).toBe('/b');
  });

  it('sends anything but a string to /', () => {
    expect(safeReturnPath(undefined)).toBe('/');
    expect(safeReturnPath(['/x'])).toBe('/');
  });
});
