/**
 * How many capturing groups an RE2 pattern has: each `(` that is not escaped, not inside a
 * character class, and either plain or a named group (`(?P<name>` or `(?<name>`). Other `(?`
 * forms — `(?:`, flags such as `(?i)` — capture nothing.
 */
export function capturingGroups(pattern: string): number {
  let groups = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      // A `]` right after `[` or `[^` is a literal member of the class.
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
      continue;
    }
    if (ch !== '(') continue;
    if (pattern[i + 1] !== '?') groups++;
    else if (
      pattern.startsWith('?P<', i + 1) ||
      (pattern[i + 2] === '<' && pattern[i + 3] !== '=' && pattern[i + 3] !== '!')
    )
      groups++;
  }
  return groups;
}

/** The highest group an RE2 rewrite refers to (`\0`–`\9`; `\\` is a backslash), or -1. */
export function highestGroupReference(rewrite: string): number {
  let highest = -1;
  for (let i = 0; i < rewrite.length; i++) {
    if (rewrite[i] !== '\\') continue;
    const next = rewrite[i + 1];
    if (next !== undefined && next >= '0' && next <= '9') highest = Math.max(highest, Number(next));
    i++;
  }
  return highest;
}

/**
 * The first backslash in `rewrite` that is neither a group reference (`\0`–`\9`) nor an escaped
 * backslash (`\\`), as its 0-based position, or -1. RE2 drops the rest of the replacement after
 * such a backslash, silently (`C:\Users` gave `C:`).
 */
export function strayBackslash(rewrite: string): number {
  for (let i = 0; i < rewrite.length; i++) {
    if (rewrite[i] !== '\\') continue;
    const next = rewrite[i + 1];
    if (next === undefined || !(next === '\\' || (next >= '0' && next <= '9'))) return i;
    i++;
  }
  return -1;
}
