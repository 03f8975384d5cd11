import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { LoadedDataset } from '@tidyvault/core';
import { NodeEngine } from '@tidyvault/engine-node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RowCounts } from '../packages/server/src/datasets/count.js';
import type { Method, Outcome } from '../packages/engine-wasm/test-page/main.js';
import { pageOneWay } from '../packages/engine-wasm/test-page/page-ways.js';
import { launch } from './browser.js';
import { isWorkbenchMethod, outcome, recipeOf, workbenchAnswer } from './engine-node-answers.js';
import { serveStatic, type StaticServer } from './engine-wasm-server.js';
import { unzip } from './unzip.js';

/*
 * Differential fuzzing: random small CSV inputs full of awkward values, random recipes over every
 * step op, and every engine method (run, a page, states, count, profile, facet, histogram,
 * cluster, duplicates, exports), each compared between engine-node (native DuckDB) and engine-wasm
 * (DuckDB-WASM in Chromium). Seeded: FUZZ_SEED (default 20240601), FUZZ_CASES (default 60 in
 * `npm test`; hundreds, and other seeds, when hunting).
 * Every divergence is written to FUZZ_OUT (default fuzz-divergences.json in the temp folder) with its case.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20240601);
const CASES = Number(process.env.FUZZ_CASES ?? 60);
const OUT = process.env.FUZZ_OUT ?? path.join(os.tmpdir(), 'fuzz-divergences.json');
const ONLY = process.env.FUZZ_ONLY; // a case number to run alone
/** Rows per input in big mode (FUZZ_BIG): the small input's rows repeated, for DuckDB's parallel paths. */
const BIG = Number(process.env.FUZZ_BIG ?? 0);

// ---------------------------------------------------------------- seeded PRNG

function mulberry32(a: number) {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
type Rng = () => number;
const int = (r: Rng, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)]!;
const chance = (r: Rng, p: number) => r() < p;
const subset = <T>(r: Rng, xs: readonly T[], min = 1): T[] => {
  const out = xs.filter(() => chance(r, 0.5));
  while (out.length < Math.min(min, xs.length)) {
    const x = pick(r, xs);
    if (!out.includes(x)) out.push(x);
  }
  return out;
};

/** The clustering methods a cluster-merge or a cluster call draws from (metaphone3 is refused). */
const KEY_METHODS = ['fingerprint', 'ngram-fingerprint', 'cologne-phonetic', 'daitch-mokotoff'] as const;
const CLUSTER_METHODS = [...KEY_METHODS, 'levenshtein', 'ppm'] as const;

// ---------------------------------------------------------------- values

const NUMBERS = [
  '-0.0',
  '0',
  '-0',
  '+0',
  '0.0',
  '00',
  '007',
  '-007.50',
  '1e308',
  '-1e308',
  '1.7976931348623157e308',
  '1e309',
  '1e-320',
  '4.9e-324',
  '5e-324',
  '2.2250738585072014e-308',
  '1e-400',
  'NaN',
  'nan',
  'inf',
  '-Infinity',
  'Infinity',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775808',
  '-9223372036854775809',
  '9007199254740993',
  '9007199254740992.5',
  '1,234.5',
  '1.234,5',
  ' 12 ',
  '\u00a012\u3000',
  '\u200b12',
  '12.00',
  '12.50',
  '1e3',
  '.5',
  '5.',
  '-.5e-3',
  '1_000',
  '0x1A',
  '1 000',
  '$1,000',
  '€5',
  '0.1',
  '0.30000000000000004',
  '123456789012345678901234567890',
  '-1E-5',
  '+.0',
  '1.0e+2',
  '١٢٣',
  '１２',
  '3.14159265358979323846',
  '100',
  '2',
  '2',
  '-2',
  '0.5',
  '1.5',
  '2.5',
] as const;
const TEXTS = [
  '',
  ' ',
  '  ',
  '\u00a0',
  '\u3000',
  '\u200b',
  '\t',
  ' a ',
  'a  b',
  ' a\u00a0b ',
  'a\u2028b',
  '\u0085x',
  'x\u001fy',
  'café',
  'cafe\u0301',
  'Café',
  'CAFÉ',
  'CAFE\u0301',
  'café ',
  '😀',
  '👍🏽',
  '𝔘𝔫𝔦',
  '𐐀𐐨',
  'ß',
  'ẞ',
  'straße',
  'STRASSE',
  'İstanbul',
  'ıi',
  'ΣΑΣ',
  'όσος',
  'ǅ',
  'ǈa',
  'ﬁle',
  'ﬀ',
  'Ω',
  'K',
  'ŉ',
  'ǰ',
  'Ǆ',
  'hello World',
  'HELLO world',
  'hello-world',
  "o'neil o'NEIL",
  'mcDonald',
  'a,b',
  'a;b',
  'a;b;;c;',
  'x"y',
  '"quoted"',
  'line1\nline2',
  'cr\rx',
  'tab\tx',
  '=1+2',
  '+1',
  '@x',
  '-dash',
  '#hash',
  'NULL',
  'null',
  'N/A',
  'n/a',
  'Ann',
  'ann',
  'ANN',
  ' Ann',
  'Anne',
  'Bob',
  'bob',
  'Bob ',
  'Paris',
  'paris',
  'PARIS',
  'Pariss',
  'München',
  'Muenchen',
  'Munchen',
  '東京',
  'ｶﾀｶﾅ',
  'Ａｂｃ',
  'Schmidt',
  'Schmitt',
  'Smith',
  'Smyth',
  'Müller',
  'Mueller',
  'Jonathan Smith',
  'Jonathon Smith',
  'a b c',
  'c b a',
  '\u0301',
  'e\u0301\u0301',
  'Ḁ',
  'ǲ',
  'ﬃ',
  '\ufeffbom',
  'x\u0000y',
] as const;
const DATES = [
  '0001-01-01',
  '9999-12-31',
  '2024-02-29',
  '2023-02-29',
  '1900-02-29',
  '2000-02-29',
  '1582-10-10',
  '1970-01-01',
  '2024-13-01',
  '0000-01-01',
  '29/02/2024',
  '31/12/9999',
  '01/01/0001',
  '03/04/21',
  '3/4/5',
  'Feb 29 2024',
  'feb 29 2024',
  'FEB 29 2024',
  'Sept 1 2024',
  '2024-366',
  '2023-366',
  '2024-01-05 23:30:00-0500',
  '2024-01-05T23:30:00+1400',
  '2024-01-05 00:00:00+2400',
  ' 2024-01-05 ',
  '20240105',
  '1012021',
  'infinity',
  '-infinity',
  'epoch',
  'today',
  '2024-W01-1',
  '10000-01-01',
  '-0001-01-01',
  '2024-1-5',
  '2024-02-30',
  '9999-12-31 23:59:59+0000',
  '0001-01-01 00:00:00+0100',
  '9999-12-31 23:59:59-0100',
  '0001-01-01 00:00:00+2400',
  '9999-12-31T23:00:00-2400',
  '2024-02-29 12:00:00+1400',
] as const;
const LONG = ['x'.repeat(3000), 'ab '.repeat(700), 'é'.repeat(1500), '😀'.repeat(600)];

function cellValue(r: Rng, kind: 'num' | 'text' | 'date' | 'mixed'): string {
  const k = kind === 'mixed' ? pick(r, ['num', 'text', 'date'] as const) : kind;
  if (BIG === 0 && chance(r, 0.02)) return pick(r, LONG);
  if (chance(r, 0.08)) return pick(r, NUMBERS) + pick(r, ['', ' ', '\u00a0']);
  if (k === 'num') return pick(r, NUMBERS);
  if (k === 'date') return pick(r, DATES);
  return pick(r, TEXTS);
}

const csvField = (v: string) => (/[",\r\n]/.test(v) || v === '' ? `"${v.replaceAll('"', '""')}"` : v);

interface Input {
  names: string[];
  kinds: ('num' | 'text' | 'date' | 'mixed')[];
  csv: string;
}

function makeInput(r: Rng): Input {
  const n = 2 + int(r, 3);
  const pool = ['a', 'b', 'c', 'd', 'Ñame', 'x y', 'City', 'n'];
  const names = subset(r, pool, n).slice(0, n);
  while (names.length < n) names.push(`col${names.length}`);
  const kinds = names.map(() => pick(r, ['num', 'text', 'date', 'mixed', 'text', 'num'] as const));
  const rows = 1 + int(r, 12);
  // a small vocabulary per column, so duplicates, clusters and facets happen
  const vocab = kinds.map((k) => Array.from({ length: 2 + int(r, 5) }, () => cellValue(r, k)));
  const lines = [names.map(csvField).join(',')];
  for (let i = 0; i < rows; i++) {
    const cells = names.map((_, j) => (chance(r, 0.8) ? pick(r, vocab[j]!) : cellValue(r, kinds[j]!)));
    // a short row: its last fields are NULL (missing), not ''
    let keep = cells.length;
    if (chance(r, 0.15)) keep = 1 + int(r, cells.length - 1);
    lines.push(cells.slice(0, keep).map(csvField).join(','));
  }
  if (BIG > 0) {
    const body = lines.slice(1);
    while (lines.length <= BIG)
      lines.push(
        chance(r, 0.01) ? names.map((_, j) => csvField(cellValue(r, kinds[j]!))).join(',') : pick(r, body),
      );
  }
  return { names, kinds, csv: lines.join(pick(r, ['\n', '\n', '\r\n'])) + '\n' };
}

// ---------------------------------------------------------------- recipes

type Type = 'text' | 'number' | 'integer' | 'date';
interface Col {
  name: string;
  type: Type;
}
const DATE_FORMATS = [
  '%Y-%m-%d',
  '%d/%m/%Y',
  '%d/%m/%y',
  '%m/%d/%y',
  '%b %d %Y',
  '%Y%m%d',
  '%Y-%j',
  '%d%m%Y',
  '%Y-%m-%d %H:%M:%S%z',
  '%Y-%m-%dT%H:%M:%S%z',
  '%G-W%V-%u',
  '%Y-%m-%d %H:%M:%S',
  '%B %d %Y',
];
const PATTERNS = [
  '\\s+',
  '^0+',
  '[[:space:]]+',
  '\\pL+',
  '(\\w)(\\w)',
  '.',
  '^',
  '$',
  '(?i)a',
  'é|e',
  '\\b',
  '\\pZ',
  '[^a-z]',
  '(a|)',
  'x*',
  '\\d',
  '[\\x{00a0}\\x{3000}]',
  '(?s).',
  '\\p{Lu}',
  '(.)\\b',
  '[😀-😂]',
  'ß',
];
const LITERALS = ['a', ' ', '0', 'é', '\u00a0', '.', '-', ',', 'ss', 'A', ';', '😀', 'e\u0301', 'x', '"'];
const REPLACEMENTS = ['', '_', '\\1', '\\2\\1', '$1', '\\\\', 'Ω', '\\0', 'long'.repeat(3), '&'];
const SEPARATORS = [',', ' ', ';', '\u00a0', 'a', '.', '😀', '--'];
const REGEX_SEPARATORS = ['\\s+', '[,;]', '\\s*', 'b|', '(?i)A', '\\pZ'];

function scalarFor(r: Rng, type: Type, values: string[]): string | number {
  if (type === 'number') return pick(r, [0, -1, 1.5, 1e308, 5e-324, 2, '-0', '0', '1e-320', '12.00', 100]);
  if (type === 'integer')
    return pick(r, [0, -1, 2, 7, 100, '9223372036854775807', '-9223372036854775808', '9007199254740993']);
  if (type === 'date') return pick(r, ['0001-01-01', '9999-12-31', '2024-02-29', '2000-02-29', '1970-01-01']);
  return chance(r, 0.6) && values.length > 0 ? pick(r, values) : pick(r, TEXTS);
}

function condition(r: Rng, cols: Col[], values: string[], depth = 0): unknown {
  if (depth < 2 && chance(r, 0.25)) {
    const k = pick(r, ['and', 'or', 'not'] as const);
    if (k === 'not') return { not: condition(r, cols, values, depth + 1) };
    return { [k]: Array.from({ length: 1 + int(r, 2) }, () => condition(r, cols, values, depth + 1)) };
  }
  const c = pick(r, cols);
  const ops = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'is-null', 'not-null', 'contains', 'matches'];
  const op = pick(r, ops);
  if (op === 'is-null' || op === 'not-null') return { column: c.name, op };
  if (op === 'contains') return { column: c.name, op, value: pick(r, [...LITERALS, 'a', '0', '-']) };
  if (op === 'matches') return { column: c.name, op, value: pick(r, PATTERNS) };
  if (op === 'in')
    return {
      column: c.name,
      op,
      value: Array.from({ length: 1 + int(r, 3) }, () => scalarFor(r, c.type, values)),
    };
  return { column: c.name, op, value: scalarFor(r, c.type, values) };
}

let fresh = 0;
const newName = (r: Rng, cols: Col[]) => {
  const pool = ['new', 'part', 'Merged', 'ñ', 'x y', '😀col', 'A', 'b'];
  let n = pick(r, pool);
  if (cols.some((c) => c.name.toLowerCase() === n.toLowerCase())) n = `${n}_${++fresh}`;
  return n;
};

/** One random step for the current columns (mostly valid), and the columns after it. */
function step(r: Rng, cols: Col[], values: string[]): [unknown, Col[]] {
  const text = cols.filter((c) => c.type === 'text');
  const anyCol = () => pick(r, cols);
  const where = () => (chance(r, 0.2) ? { where: condition(r, cols, values) } : {});
  const textCols = () =>
    chance(r, 0.3) || text.length === 0 ? {} : { columns: subset(r, text).map((c) => c.name) };
  const op = pick(r, [
    'trim',
    'collapse-whitespace',
    'blank-to-null',
    'change-case',
    'change-case',
    'replace',
    'replace',
    'to-number',
    'to-number',
    'to-integer',
    'to-date',
    'to-date',
    'fill-null',
    'fill-null',
    'dedupe-rows',
    'dedupe-rows',
    'cluster-merge',
    'cluster-merge',
    'mass-edit',
    'filter-rows',
    'filter-rows',
    'split-column',
    'split-rows',
    'join-rows',
    'merge-columns',
    'rename-columns',
    'drop-columns',
    'reorder-columns',
    'copy-column',
    'sort-rows',
    'sort-rows',
    'dedupe-groups',
  ]);
  // 3% of steps name a column that does not exist (errors must match too)
  const bogus = chance(r, 0.03);
  const name = (c: Col) => (bogus ? 'nope' : c.name);
  const t = text.length > 0 ? pick(r, text) : anyCol();
  switch (op) {
    case 'trim':
    case 'collapse-whitespace':
    case 'blank-to-null':
      return [{ op, ...textCols(), ...where() }, cols];
    case 'change-case':
      return [{ op, columns: [name(t)], case: pick(r, ['lower', 'upper', 'title']), ...where() }, cols];
    case 'replace': {
      const regex = chance(r, 0.5);
      const s: Record<string, unknown> = {
        op,
        columns: [name(t)],
        find: regex ? pick(r, PATTERNS) : pick(r, LITERALS),
        replace: regex ? pick(r, REPLACEMENTS) : pick(r, ['', '_', 'Ω', '\\1', '$&', 'ss']),
      };
      if (regex || chance(r, 0.3)) s['regex'] = regex;
      if (chance(r, 0.4)) s['caseSensitive'] = chance(r, 0.5);
      return [{ ...s, ...where() }, cols];
    }
    case 'to-number':
    case 'to-integer': {
      const s: Record<string, unknown> = { op, columns: [name(t)] };
      if (chance(r, 0.3)) {
        const [decimal, thousands] = pick(r, [
          [',', '.'],
          ['.', ''],
          [',', ' '],
          ['.', '\u00a0'],
          ['.', "'"],
        ]);
        s['decimal'] = decimal;
        s['thousands'] = thousands;
      }
      if (chance(r, 0.2)) s['strip'] = pick(r, ['$', '$€', ' ', '_']);
      if (chance(r, 0.2)) s['nullValues'] = pick(r, [['N/A'], ['-0', 'NaN'], ['0'], ['']]);
      return [
        s,
        cols.map((c) => (c === t && !bogus ? { ...c, type: op === 'to-number' ? 'number' : 'integer' } : c)),
      ];
    }
    case 'to-date':
      return [
        { op, columns: [name(t)], formats: subset(r, DATE_FORMATS).slice(0, 3) },
        cols.map((c) => (c === t && !bogus ? { ...c, type: 'date' } : c)),
      ];
    case 'fill-null': {
      const c = anyCol();
      const strategies =
        c.type === 'number'
          ? ['value', 'down', 'up', 'mean', 'median', 'mode']
          : ['value', 'down', 'up', 'mode'];
      const strategy = pick(r, strategies);
      return [
        {
          op,
          columns: [name(c)],
          strategy,
          ...(strategy === 'value' ? { value: scalarFor(r, c.type, values) } : {}),
        },
        cols,
      ];
    }
    case 'dedupe-rows':
      return [chance(r, 0.5) ? { op } : { op, columns: subset(r, cols).map(name) }, cols];
    case 'cluster-merge': {
      const method = pick(
        r,
        // Nearest-neighbour clustering of big inputs would take minutes.
        BIG > 0 ? KEY_METHODS : CLUSTER_METHODS,
      );
      const params =
        method === 'ngram-fingerprint'
          ? chance(r, 0.5)
            ? { params: { ngramSize: 1 + int(r, 3) } }
            : {}
          : method === 'levenshtein' || method === 'ppm'
            ? chance(r, 0.6)
              ? { params: { radius: pick(r, [1, 2, 3]), blockingNgramSize: 1 + int(r, 4) } }
              : {}
            : {};
      return [{ op, column: name(t), method, ...params }, cols];
    }
    case 'mass-edit': {
      const edits = Array.from({ length: 1 + int(r, 2) }, () => ({
        from: Array.from({ length: 1 + int(r, 2) }, () =>
          values.length && chance(r, 0.7) ? pick(r, values) : pick(r, TEXTS),
        ),
        to: chance(r, 0.2) ? null : pick(r, TEXTS),
      }));
      return [{ op, column: name(t), edits, ...where() }, cols];
    }
    case 'filter-rows':
      return [
        { op, where: condition(r, cols, values), ...(chance(r, 0.3) ? { keep: chance(r, 0.5) } : {}) },
        cols,
      ];
    case 'split-column': {
      const regex = chance(r, 0.3);
      const into = Array.from({ length: 1 + int(r, 3) }, () => newName(r, cols));
      const uniq = [...new Set(into)];
      const removeOriginal = chance(r, 0.5);
      const at = cols.indexOf(t);
      const added = uniq.map((n) => ({ name: n, type: 'text' as const }));
      const next = [...cols.slice(0, at), ...(removeOriginal ? [] : [t]), ...added, ...cols.slice(at + 1)];
      return [
        {
          op,
          column: name(t),
          separator: regex ? pick(r, REGEX_SEPARATORS) : pick(r, SEPARATORS),
          into: uniq,
          regex,
          removeOriginal,
        },
        next,
      ];
    }
    case 'split-rows': {
      const regex = chance(r, 0.3);
      return [
        {
          op,
          column: name(t),
          separator: regex ? pick(r, REGEX_SEPARATORS) : pick(r, SEPARATORS),
          ...(regex ? { regex } : {}),
        },
        cols,
      ];
    }
    case 'join-rows': {
      const others = cols.filter((c) => c !== t);
      if (others.length === 0) return [{ op: 'trim' }, cols];
      return [
        {
          op,
          column: name(t),
          separator: pick(r, [',', '', ' | ', '\n']),
          by: subset(r, others).map((c) => c.name),
        },
        cols,
      ];
    }
    case 'merge-columns': {
      if (cols.length < 2) return [{ op: 'trim' }, cols];
      const m = subset(r, cols, 2);
      const into = newName(r, cols);
      const removeOriginals = chance(r, 0.4);
      const last = Math.max(...m.map((c) => cols.indexOf(c)));
      const first = Math.min(...m.map((c) => cols.indexOf(c)));
      const merged = { name: into, type: 'text' as const };
      const next = removeOriginals
        ? cols.flatMap((c, i) => (i === first ? [merged] : m.includes(c) ? [] : [c]))
        : cols.flatMap((c, i) => (i === last ? [c, merged] : [c]));
      return [
        { op, columns: m.map(name), separator: pick(r, ['', ' ', ', ', '|']), into, removeOriginals },
        next,
      ];
    }
    case 'rename-columns': {
      const c = anyCol();
      const to = newName(r, cols);
      return [{ op, mapping: { [name(c)]: to } }, cols.map((x) => (x === c ? { ...x, name: to } : x))];
    }
    case 'drop-columns': {
      if (cols.length < 2) return [{ op: 'trim' }, cols];
      const c = anyCol();
      return [{ op, columns: [name(c)] }, cols.filter((x) => x !== c)];
    }
    case 'reorder-columns': {
      const m = subset(r, cols);
      const position = pick(r, ['first', 'last'] as const);
      const rest = cols.filter((c) => !m.includes(c));
      return [
        { op, columns: m.map(name), position },
        position === 'first' ? [...m, ...rest] : [...rest, ...m],
      ];
    }
    case 'copy-column': {
      const c = anyCol();
      const into = newName(r, cols);
      const at = cols.indexOf(c);
      return [
        { op, column: name(c), into },
        [...cols.slice(0, at + 1), { name: into, type: c.type }, ...cols.slice(at + 1)],
      ];
    }
    case 'sort-rows':
      return [
        {
          op,
          by: subset(r, cols)
            .slice(0, 3)
            .map((c) => ({ column: name(c), desc: chance(r, 0.5) })),
        },
        cols,
      ];
    case 'dedupe-groups': {
      if (text.length === 0 || values.length === 0) return [{ op: 'dedupe-rows' }, cols];
      const cs = subset(r, text).slice(0, 2);
      const tuples = new Set<string>();
      const groups = Array.from({ length: 1 + int(r, 2) }, () =>
        Array.from({ length: 1 + int(r, 3) }, () =>
          cs.map(() => (chance(r, 0.1) ? null : pick(r, values))),
        ).filter((tu) => {
          const k = JSON.stringify(tu);
          if (tuples.has(k)) return false;
          tuples.add(k);
          return true;
        }),
      ).filter((g) => g.length > 0);
      if (groups.length === 0) return [{ op: 'dedupe-rows' }, cols];
      return [{ op, columns: cs.map(name), groups }, cols];
    }
  }
  throw new Error(op);
}

function makeRecipe(r: Rng, input: Input): { version: 1; steps: unknown[] } {
  let cols: Col[] = input.names.map((name) => ({ name, type: 'text' }));
  const values = [...new Set(input.csv.split(/[,\n]/).filter((v) => v.length < 40 && !v.includes('"')))];
  const steps: unknown[] = [];
  // Half the recipes first type their number and date columns, so later steps see typed values.
  if (chance(r, 0.5))
    input.names.forEach((name, i) => {
      const kind = input.kinds[i];
      if (kind === 'num' && chance(r, 0.8)) {
        const op = chance(r, 0.75) ? 'to-number' : 'to-integer';
        steps.push({ op, columns: [name] });
        cols = cols.map((c) =>
          c.name === name ? { ...c, type: op === 'to-number' ? 'number' : 'integer' } : c,
        );
      } else if (kind === 'date' && chance(r, 0.8)) {
        steps.push({ op: 'to-date', columns: [name], formats: subset(r, DATE_FORMATS).slice(0, 4) });
        cols = cols.map((c) => (c.name === name ? { ...c, type: 'date' } : c));
      }
    });
  const n = 1 + int(r, Number(process.env.FUZZ_STEPS ?? 4));
  for (let i = 0; i < n; i++) {
    const [s, next] = step(r, cols, values);
    steps.push(s);
    cols = next;
  }
  return { version: 1, steps };
}

// ---------------------------------------------------------------- the engines

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-fuzz-'));
let srv: StaticServer;
let browser: Browser;
let page: Page;
let node: NodeEngine;
let exports = 0;

async function nodeCall(ds: LoadedDataset, method: Method, args: unknown[]): Promise<Outcome<unknown>> {
  return outcome(async () => {
    if (isWorkbenchMethod(method)) return workbenchAnswer(node, ds, method, args);
    switch (method) {
      case 'run':
        return node.run(ds, recipeOf(args[0]), (args[1] ?? {}) as object);
      case 'state': {
        // As the server holds states: prepare, CREATE TABLE … AS, the count; then the rest on it.
        const r = recipeOf(args[0]);
        const split = args[1] as number;
        const made: LoadedDataset[] = [];
        const make = async (base: LoadedDataset, steps: typeof r.steps): Promise<LoadedDataset> => {
          const rest = { ...r, steps };
          await node.prepare(base, rest);
          const table = `fuzz_state_${++exports}`;
          const columns = await node.materialise(base, rest, table);
          const n = (
            await node.connection.runAndReadAll(`SELECT count(*) FROM ${table}`)
          ).getRowsJson()[0]![0];
          const data = { table, columns, rowCount: Number(n), warnings: [] };
          made.push(data);
          return data;
        };
        try {
          const first = await make(ds, r.steps.slice(0, split));
          const last = await make(first, r.steps.slice(split));
          return await node.run(last, recipeOf(null));
        } finally {
          for (const d of made) await node.connection.run(`DROP TABLE IF EXISTS ${d.table}`);
        }
      }
      case 'page': {
        const [offset, limit, how] = [args[1] as number, args[2] as number, args[3] as string];
        return pageOneWay(node, ds, recipeOf(args[0]), offset, limit, how);
      }
      case 'count':
        // The server's count (what its grid shows), not run()'s rows: both engines count alike.
        return new RowCounts().count(node, ds, recipeOf(args[0]));
      case 'export': {
        const format = args[1] as 'csv' | 'tsv' | 'json' | 'ndjson';
        const file = path.join(TMP, `node-${++exports}.${format}`);
        try {
          await node.export(ds, recipeOf(args[0]), file, { format, ...(args[2] as object) } as never);
          return format === ('xlsx' as string)
            ? unzip(fs.readFileSync(file))
            : fs.readFileSync(file).toString('utf8');
        } finally {
          fs.rmSync(file, { force: true });
        }
      }
    }
  });
}

async function wasmCall(id: number, method: Method, args: unknown[]): Promise<Outcome<unknown>> {
  const o = await page.evaluate(([i, m, a]) => window.tidyvaultTest.call(i, m, a), [
    id,
    method,
    args,
  ] as const);
  if (method === 'export' && 'value' in o) {
    const v = o.value as { base64: string };
    const bytes = Buffer.from(v.base64, 'base64');
    return { value: args[1] === 'xlsx' ? unzip(bytes) : bytes.toString('utf8') };
  }
  return o;
}

// ---------------------------------------------------------------- one case

interface Divergence {
  case: number;
  call: string;
  args: unknown[];
  csv: string;
  recipe: unknown;
  node: unknown;
  wasm: unknown;
}
const divergences: Divergence[] = [];
const stats = {
  cases: 0,
  calls: 0,
  errorsBoth: 0,
  ops: new Map<string, number>(),
  codes: new Map<string, number>(),
};

/** JSON with -0, NaN, Infinity and bigints shown. */
const show = (v: unknown) =>
  JSON.stringify(v, (_k, x) =>
    typeof x === 'bigint'
      ? `${x}n`
      : typeof x === 'number' && (Object.is(x, -0) || !Number.isFinite(x))
        ? `<${Object.is(x, -0) ? '-0' : String(x)}>`
        : x,
  );

/** A big answer cut down for the report: the first differing rows are enough. */
const trimmed = (v: unknown): unknown => {
  const text = show(v);
  return text.length > 50000 ? text.slice(0, 50000) + '…' : v;
};

/** Directed cases (FUZZ_DIRECT: a JSON file of [{csv, recipe}]), run through every call as the random ones. */
const DIRECT: { csv: string; recipe: { version: 1; steps: unknown[] } }[] = process.env.FUZZ_DIRECT
  ? JSON.parse(fs.readFileSync(process.env.FUZZ_DIRECT, 'utf8'))
  : [];

async function runCase(n: number) {
  const r = mulberry32(SEED * 1000 + n);
  const direct = DIRECT[n];
  const input = direct ? { names: [], kinds: [], csv: direct.csv } : makeInput(r);
  const recipe = direct ? direct.recipe : makeRecipe(r, input);
  for (const s of recipe.steps) {
    const op = (s as { op: string }).op;
    stats.ops.set(op, (stats.ops.get(op) ?? 0) + 1);
  }
  const bytes = Buffer.from(input.csv);
  const ds = await outcome(() => node.loadCsv('fuzz.csv', bytes));
  const loaded = await page.evaluate(([b]) => window.tidyvaultTest.load('fuzz.csv', b), [
    bytes.toString('base64'),
  ] as const);
  const nodeLoad =
    'value' in ds
      ? { columns: ds.value.columns, rowCount: ds.value.rowCount, warnings: ds.value.warnings }
      : ds;
  const wasmLoad =
    'value' in loaded
      ? { columns: loaded.value.columns, rowCount: loaded.value.rowCount, warnings: loaded.value.warnings }
      : loaded;
  stats.cases++;
  const diff = (call: string, args: unknown[], a: unknown, b: unknown) => {
    stats.calls++;
    if (!isDeepStrictEqual(a, b))
      divergences.push({
        case: n,
        call,
        args,
        csv: input.csv.length > 20000 ? input.csv.slice(0, 20000) + '…' : input.csv,
        recipe,
        node: trimmed(a),
        wasm: trimmed(b),
      });
  };
  diff('load', [], nodeLoad, wasmLoad);
  if (!('value' in ds) || !('value' in loaded)) return;
  const id = loaded.value.id;
  const both = async (method: Method, args: unknown[]) => {
    const a = await nodeCall(ds.value, method, args);
    const b = await wasmCall(id, method, args);
    diff(method, args, a, b);
    if ('error' in a && 'error' in b) {
      stats.errorsBoth++;
      const code = 'code' in a.error ? a.error.code : 'unexpected';
      stats.codes.set(code, (stats.codes.get(code) ?? 0) + 1);
    }
    return a;
  };
  try {
    const full = await both('run', [recipe]);
    const columns =
      'value' in full ? (full.value as { columns: { name: string; type: string }[] }).columns : [];
    const rows = 'value' in full ? (full.value as { rows: unknown[][] }).rows.length : 0;
    // a page of it, three ways (run with offset/limit, streamed as local mode does, first rows)
    const offset = int(r, Math.max(1, rows));
    const limit = 1 + int(r, 5);
    await both('run', [recipe, { offset, limit }]);
    const clusters = recipe.steps.some((s) => (s as { op: string }).op === 'cluster-merge');
    if (!clusters) await both('page', [recipe, offset, limit, 'stream']);
    await both('page', [recipe, offset, limit, 'first']);
    if (recipe.steps.length > 1) await both('state', [recipe, 1 + int(r, recipe.steps.length - 1)]);
    await both('count', [recipe]);
    await both('profile', [recipe, 3]);
    if (direct)
      for (const c of columns) {
        await both('facet', [recipe, c.name, 10]);
        await both('histogram', [recipe, c.name, 3, c.type === 'text' ? 'length' : 'value']);
        await both('cluster', [c.name, 'fingerprint', undefined, recipe]);
      }
    if (columns.length > 0) {
      const c = pick(r, columns);
      await both('facet', [recipe, c.name, 1 + int(r, 6)]);
      const typed = columns.filter((x) => x.type !== 'text');
      if (typed.length > 0) await both('histogram', [recipe, pick(r, typed).name, 1 + int(r, 5)]);
      const text = columns.filter((x) => x.type === 'text');
      if (text.length > 0) await both('histogram', [recipe, pick(r, text).name, 1 + int(r, 5), 'length']);
      if (text.length > 0 && chance(r, BIG > 0 ? 0 : 0.5)) {
        const method = pick(r, CLUSTER_METHODS);
        const params =
          method === 'levenshtein' || method === 'ppm' ? { radius: 2, blockingNgramSize: 2 } : undefined;
        await both('cluster', [pick(r, text).name, method, params, recipe]);
      }
      if (text.length > 0 && chance(r, BIG > 0 ? 0 : 0.25))
        await both('duplicates', [
          recipe,
          subset(r, text)
            .slice(0, 2)
            .map((x) => x.name),
          { threshold: pick(r, [0.5, 0.7, 0.85]) },
        ]);
    }
    for (const format of ['csv', 'tsv', 'json', 'ndjson', ...(chance(r, 0.3) ? ['xlsx'] : [])])
      await both('export', [recipe, format, chance(r, 0.3) ? { formulaGuard: false } : {}]);
  } finally {
    await node.drop(ds.value);
    await page.evaluate((i) => window.tidyvaultTest.drop(i), id);
  }
}

describe('differential fuzz: engine-node vs engine-wasm', () => {
  beforeAll(async () => {
    srv = await serveStatic();
    browser = await launch();
    page = await (await browser.newContext()).newPage();
    node = await NodeEngine.open({ memoryLimit: '1GB', threads: 2, allowedDirectories: [TMP] });
    await page.goto(`${srv.origin}/`);
    await page.evaluate(() => window.tidyvaultTest.ready);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    await node?.close();
    fs.rmSync(TMP, { recursive: true, force: true });
  });

  it(`${CASES} cases from seed ${SEED}: the same answers`, async () => {
    const list =
      ONLY !== undefined
        ? [Number(ONLY)]
        : Array.from({ length: DIRECT.length > 0 ? DIRECT.length : CASES }, (_, i) => i);
    for (const n of list) {
      try {
        await runCase(n);
      } catch (e) {
        divergences.push({
          case: n,
          call: 'harness',
          args: [],
          csv: '',
          recipe: null,
          node: String(e),
          wasm: null,
        });
      }
    }
    fs.writeFileSync(
      OUT,
      show({
        seed: SEED,
        stats: { ...stats, ops: Object.fromEntries(stats.ops), codes: Object.fromEntries(stats.codes) },
        divergences,
      }),
    );
    console.log(
      `cases ${stats.cases}, calls ${stats.calls}, both-errors ${stats.errorsBoth}, divergences ${divergences.length} → ${OUT}`,
    );
    expect(divergences.map((d) => `case ${d.case} ${d.call}`)).toEqual([]);
  }, 3_600_000);
});
