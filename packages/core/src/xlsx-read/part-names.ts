/** POSIX path operations on zip part names (what node:path's posix does, for the browser too). */

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i);
}

const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** Resolves `.` and `..` segments; a part name never starts with `/`, so the result does not either. */
function normalize(p: string): string {
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(s);
  }
  const joined = out.join('/');
  return joined === '' ? '.' : joined;
}

const join = (...parts: string[]): string => normalize(parts.filter((x) => x !== '').join('/'));

export const posix = { dirname, basename, normalize, join };
