/**
 * Where a sign-in may send the browser afterwards (`/auth/oidc/login?next=`): only a path on this
 * server. Anything else — another origin, a scheme-relative `//host`, a backslash that browsers
 * read as a slash, a percent-encoded form of those, a `javascript:` URL, control characters —
 * becomes `/` (SECURITY-CONTROLS control 7, no open redirects).
 */
export const HOME_PATH = '/';

const MAX_RETURN_PATH = 2048;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const BASE = new URL('http://tidyvault.invalid/');

function unsafe(path: string): boolean {
  return !path.startsWith('/') || path.startsWith('//') || path.includes('\\') || CONTROL.test(path);
}

export function safeReturnPath(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '' || raw.length > MAX_RETURN_PATH || unsafe(raw)) return HOME_PATH;
  // The decoded form must be just as plain: `/%2F%2Fevil` or `/%5Cevil` are refused too.
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return HOME_PATH;
  }
  if (unsafe(decoded)) return HOME_PATH;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return HOME_PATH;
  }
  if (url.origin !== BASE.origin) return HOME_PATH;
  // Back into the sign-in itself would loop.
  if (url.pathname.startsWith('/auth/')) return HOME_PATH;
  return `${url.pathname}${url.search}${url.hash}`;
}
