/**
 * OpenRefine's Daitch–Mokotoff keyer (DaitchMokotoffKeyer.java): the key is
 * `new DaitchMokotoffSoundex().encode(value)` from Apache Commons Codec, its non-branching
 * encoding. Re-implemented from the algorithm's published rules as commons-codec states them
 * (its rule table dmrules.txt, transcribed below as data) and its documented behaviour:
 *
 * 1. clean-up, one UTF-16 unit at a time: drop Java whitespace (Character.isWhitespace: the
 *    space, line and paragraph separators except the no-break spaces U+00A0, U+2007, U+202F,
 *    plus TAB LF VT FF CR and U+001C–U+001F; U+180E is not one since Unicode 6.3), lower-case with the simple one-unit mapping
 *    (Character.toLowerCase: `İ` → `i`), then fold the characters of FOLDINGS (`é` → `e`,
 *    `ß` → `s`, `æ` → `a`, …; `ü` is not among them);
 * 2. scan the result left to right. A unit that no pattern starts with (digits, punctuation,
 *    letters outside the table) is skipped: it codes nothing and is not "the previous letter",
 *    but it still separates letters, so it breaks multi-letter patterns and is not a vowel.
 *    Otherwise the longest pattern starting here is taken, with its code for the start of the
 *    name (no letter coded yet), before a vowel (the unit after the pattern is a e i o u) or
 *    otherwise; of alternatives (`4|5`) `encode` takes the first;
 * 3. a code is appended unless the previous pattern's code ends with it (so two letters coding
 *    alike count once, but a vowel after the start, which codes nothing, separates them); the
 *    exception is `m` and `n` next to each other (by the first letter of the previous pattern),
 *    always coded;
 * 4. the key is cut at six digits and padded with `0` to six. A value without a coded letter
 *    (`''`, `123`, `東京`) has the key `000000`.
 */

/**
 * The rule table of Apache Commons Codec's DaitchMokotoffSoundex (src/main/resources/org/apache/
 * commons/codec/language/dmrules.txt @ 870c9a32788c4c9c8f2575416514a1c5eda01cb2): pattern →
 * codes [at the start of the name, before a vowel, otherwise]; `|` separates alternatives.
 */
const RULES: Record<string, readonly [string, string, string]> = {
  a: ['0', '', ''],
  e: ['0', '', ''],
  i: ['0', '', ''],
  o: ['0', '', ''],
  u: ['0', '', ''],
  b: ['7', '7', '7'],
  d: ['3', '3', '3'],
  f: ['7', '7', '7'],
  g: ['5', '5', '5'],
  h: ['5', '5', ''],
  k: ['5', '5', '5'],
  l: ['8', '8', '8'],
  m: ['6', '6', '6'],
  n: ['6', '6', '6'],
  p: ['7', '7', '7'],
  q: ['5', '5', '5'],
  r: ['9', '9', '9'],
  s: ['4', '4', '4'],
  t: ['3', '3', '3'],
  v: ['7', '7', '7'],
  w: ['7', '7', '7'],
  x: ['5', '54', '54'],
  y: ['1', '', ''],
  z: ['4', '4', '4'],
  ţ: ['3|4', '3|4', '3|4'],
  ț: ['3|4', '3|4', '3|4'],
  ę: ['', '', '|6'],
  ą: ['', '', '|6'],
  schtsch: ['2', '4', '4'],
  schtsh: ['2', '4', '4'],
  schtch: ['2', '4', '4'],
  shtch: ['2', '4', '4'],
  shtsh: ['2', '4', '4'],
  stsch: ['2', '4', '4'],
  ttsch: ['4', '4', '4'],
  zhdzh: ['2', '4', '4'],
  shch: ['2', '4', '4'],
  scht: ['2', '43', '43'],
  schd: ['2', '43', '43'],
  stch: ['2', '4', '4'],
  strz: ['2', '4', '4'],
  strs: ['2', '4', '4'],
  stsh: ['2', '4', '4'],
  szcz: ['2', '4', '4'],
  szcs: ['2', '4', '4'],
  ttch: ['4', '4', '4'],
  tsch: ['4', '4', '4'],
  ttsz: ['4', '4', '4'],
  zdzh: ['2', '4', '4'],
  zsch: ['4', '4', '4'],
  chs: ['5', '54', '54'],
  csz: ['4', '4', '4'],
  czs: ['4', '4', '4'],
  drz: ['4', '4', '4'],
  drs: ['4', '4', '4'],
  dsh: ['4', '4', '4'],
  dsz: ['4', '4', '4'],
  dzh: ['4', '4', '4'],
  dzs: ['4', '4', '4'],
  sch: ['4', '4', '4'],
  sht: ['2', '43', '43'],
  szt: ['2', '43', '43'],
  shd: ['2', '43', '43'],
  szd: ['2', '43', '43'],
  tch: ['4', '4', '4'],
  trz: ['4', '4', '4'],
  trs: ['4', '4', '4'],
  tsh: ['4', '4', '4'],
  tts: ['4', '4', '4'],
  ttz: ['4', '4', '4'],
  tzs: ['4', '4', '4'],
  tsz: ['4', '4', '4'],
  zdz: ['2', '4', '4'],
  zhd: ['2', '43', '43'],
  zsh: ['4', '4', '4'],
  ai: ['0', '1', ''],
  aj: ['0', '1', ''],
  ay: ['0', '1', ''],
  au: ['0', '7', ''],
  cz: ['4', '4', '4'],
  cs: ['4', '4', '4'],
  ds: ['4', '4', '4'],
  dz: ['4', '4', '4'],
  dt: ['3', '3', '3'],
  ei: ['0', '1', ''],
  ej: ['0', '1', ''],
  ey: ['0', '1', ''],
  eu: ['1', '1', ''],
  fb: ['7', '7', '7'],
  ia: ['1', '', ''],
  ie: ['1', '', ''],
  io: ['1', '', ''],
  iu: ['1', '', ''],
  ks: ['5', '54', '54'],
  kh: ['5', '5', '5'],
  mn: ['66', '66', '66'],
  nm: ['66', '66', '66'],
  oi: ['0', '1', ''],
  oj: ['0', '1', ''],
  oy: ['0', '1', ''],
  pf: ['7', '7', '7'],
  ph: ['7', '7', '7'],
  sh: ['4', '4', '4'],
  sc: ['2', '4', '4'],
  st: ['2', '43', '43'],
  sd: ['2', '43', '43'],
  sz: ['4', '4', '4'],
  th: ['3', '3', '3'],
  ts: ['4', '4', '4'],
  tc: ['4', '4', '4'],
  tz: ['4', '4', '4'],
  ui: ['0', '1', ''],
  uj: ['0', '1', ''],
  uy: ['0', '1', ''],
  ue: ['0', '1', ''],
  zd: ['2', '43', '43'],
  zh: ['4', '4', '4'],
  zs: ['4', '4', '4'],
  c: ['4|5', '4|5', '4|5'],
  ch: ['4|5', '4|5', '4|5'],
  ck: ['5|45', '5|45', '5|45'],
  rs: ['4|94', '4|94', '4|94'],
  rz: ['4|94', '4|94', '4|94'],
  j: ['1|4', '|4', '|4'],
};

/** commons-codec's ASCII foldings (same file), each pair: character, replacement. */
const FOLDINGS =
  'ßs àa áa âa ãa äa åa æa çc èe ée êe ëe ìi íi îi ïi ðd ñn òo óo ôo õo öo øo ùu úu ûu ýy þb ÿy ćc łl śs żz źz';

const MAX_LENGTH = 6;

interface Rule {
  pattern: string;
  codes: readonly [string[], string[], string[]];
}

/** Rules by the first unit of their pattern, longest pattern first. */
const RULES_BY_FIRST = new Map<string, Rule[]>();
for (const [pattern, codes] of Object.entries(RULES)) {
  const rule: Rule = { pattern, codes: [codes[0].split('|'), codes[1].split('|'), codes[2].split('|')] };
  const list = RULES_BY_FIRST.get(pattern[0]!) ?? [];
  list.push(rule);
  RULES_BY_FIRST.set(pattern[0]!, list);
}
for (const list of RULES_BY_FIRST.values()) list.sort((a, b) => b.pattern.length - a.pattern.length);

const FOLD = new Map<string, string>();
for (const pair of FOLDINGS.split(' ')) FOLD.set(pair[0]!, pair[1]!);

/** Java's Character.isWhitespace on one UTF-16 unit (Unicode 8+, where U+180E is not a space). */
function isJavaWhitespace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    (c >= 0x1c && c <= 0x20) ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a && c !== 0x2007) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Java's Character.toLowerCase(char): JS's mapping of one unit, except `İ`, whose simple mapping is `i`. */
function lowerUnit(unit: string): string {
  if (unit === '\u0130') return 'i';
  const lower = unit.toLowerCase();
  return lower.length === 1 ? lower : unit;
}

function cleanUp(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    if (isJavaWhitespace(value.charCodeAt(i))) continue;
    const lower = lowerUnit(value[i]!);
    out += FOLD.get(lower) ?? lower;
  }
  return out;
}

const isVowel = (unit: string | undefined) =>
  unit === 'a' || unit === 'e' || unit === 'i' || unit === 'o' || unit === 'u';

interface Branch {
  code: string;
  /** The code of the previous pattern (appended or not); undefined before the first. */
  last: string | undefined;
}

function append(branch: Branch, code: string, force: boolean): void {
  if (
    (branch.last === undefined || !branch.last.endsWith(code) || force) &&
    branch.code.length < MAX_LENGTH
  ) {
    branch.code = (branch.code + code).slice(0, MAX_LENGTH);
  }
  branch.last = code;
}

/** The codes of `value`: only the first alternatives (commons-codec's `encode`), or every branch (`soundex`). */
function codes(value: string, branching: boolean): string[] {
  const s = cleanUp(value);
  let branches: Branch[] = [{ code: '', last: undefined }];
  let previous = ''; // first unit of the previous pattern; '' before the first
  for (let i = 0; i < s.length; i++) {
    const unit = s[i]!;
    const rule = RULES_BY_FIRST.get(unit)?.find((r) => s.startsWith(r.pattern, i));
    if (!rule) continue;
    const alternatives =
      previous === '' ? rule.codes[0] : isVowel(s[i + rule.pattern.length]) ? rule.codes[1] : rule.codes[2];
    const force = (previous === 'm' && unit === 'n') || (previous === 'n' && unit === 'm');
    if (!branching) append(branches[0]!, alternatives[0]!, force);
    else {
      // every branch continues with every alternative; branches with equal codes so far are one
      const next: Branch[] = [];
      const seen = new Set<string>();
      for (const branch of branches) {
        for (const code of alternatives) {
          const b = alternatives.length > 1 ? { ...branch } : branch;
          append(b, code, force);
          if (!seen.has(b.code)) {
            seen.add(b.code);
            next.push(b);
          }
        }
      }
      branches = next;
    }
    i += rule.pattern.length - 1;
    previous = unit;
  }
  return branches.map((b) => b.code.padEnd(MAX_LENGTH, '0'));
}

/** OpenRefine's daitch-mokotoff key: commons-codec's DaitchMokotoffSoundex.encode. */
export function daitchMokotoff(value: string): string {
  return codes(value, false)[0]!;
}

/** Every Daitch–Mokotoff code of `value` joined by `|` (commons-codec's DaitchMokotoffSoundex.soundex). */
export function daitchMokotoffSoundex(value: string): string {
  return codes(value, true).join('|');
}
