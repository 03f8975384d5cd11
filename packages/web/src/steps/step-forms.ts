import type { Column, ColumnProfile, Step } from '../api/types.js';
import { plural } from '../format.js';

export type Field =
  | { key: string; label: string; kind: 'text'; default?: string; placeholder?: string; help?: string }
  | { key: string; label: string; kind: 'select'; options: [string, string][]; default: string }
  | { key: string; label: string; kind: 'checkbox'; default?: boolean }
  | { key: string; label: string; kind: 'columns'; help?: string };

export type Values = Record<string, string | boolean | string[]>;

export interface StepForm {
  id: string;
  label: string;
  group: 'Clean' | 'Convert' | 'Rows' | 'Columns';
  fields: Field[];
  /** Only for columns of these types (default: any). */
  types?: Column['type'][];
  /** `columns`: the table's columns as they are now, in order. */
  build: (column: string, v: Values, columns: Column[]) => Step;
  /** For the before/after preview: the new value of one cell, when cheap to say in the browser. */
  preview?: (value: string, v: Values) => string | null;
  /** Something about this column the person should know before applying (from its profile). */
  notice?: (column: string, p: ColumnProfile) => string | undefined;
}

const list = (s: unknown): string[] =>
  String(s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
/**
 * Date formats typed comma-separated, where a format may hold a comma itself ("%b %d, %Y"): a
 * piece without a year joins the piece after it, so "%d/%m/%Y, %b %d, %Y" is two formats.
 */
export function dateFormatList(s: unknown): string[] {
  const out: string[] = [];
  let pending: string | undefined;
  for (const piece of String(s ?? '').split(',')) {
    if (pending === undefined && piece.trim() === '') continue;
    pending = pending === undefined ? piece : `${pending},${piece}`;
    if (/%[YyGcx]/.test(pending)) {
      out.push(pending.trim());
      pending = undefined;
    }
  }
  if (pending !== undefined) out.push(pending.trim());
  return out.filter((x) => x !== '');
}
const str = (v: Values, k: string) => String(v[k] ?? '');
const bool = (v: Values, k: string) => v[k] === true;
const WS =
  /^[\s\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\s\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
const numberFields: Field[] = [
  { key: 'decimal', label: 'Decimal mark', kind: 'text', default: '.' },
  { key: 'thousands', label: 'Thousands separator', kind: 'text', default: ',' },
  {
    key: 'strip',
    label: 'Characters to remove first',
    kind: 'text',
    default: '',
    placeholder: 'e.g. $€ (a space typed counts too)',
  },
  {
    key: 'nullValues',
    label: 'Values meaning “no value” (comma-separated)',
    kind: 'text',
    default: 'N/A, NA',
  },
];
const numberParams = (v: Values) => ({
  ...(str(v, 'decimal') ? { decimal: str(v, 'decimal') } : {}),
  thousands: str(v, 'thousands'),
  // As typed: a space is one of the characters to remove (as in "€ 1.234,50").
  ...(str(v, 'strip') ? { strip: str(v, 'strip') } : {}),
  ...(list(v.nullValues).length ? { nullValues: list(v.nullValues) } : {}),
});

/** Every op of recipe v1 that works on one column, as a small form. */
export const STEP_FORMS: StepForm[] = [
  {
    id: 'trim',
    label: 'Trim whitespace',
    group: 'Clean',
    types: ['text'],
    fields: [],
    build: (c) => ({ op: 'trim', columns: [c] }),
    preview: (x) => x.replace(WS, ''),
  },
  {
    id: 'collapse-whitespace',
    label: 'Collapse consecutive whitespace',
    group: 'Clean',
    types: ['text'],
    fields: [],
    build: (c) => ({ op: 'collapse-whitespace', columns: [c] }),
    preview: (x) =>
      x
        .replace(/[\s\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g, ' ')
        .replace(/^ | $/g, ''),
  },
  {
    id: 'blank-to-null',
    label: 'Blank cells to null',
    group: 'Clean',
    types: ['text'],
    fields: [],
    build: (c) => ({ op: 'blank-to-null', columns: [c] }),
  },
  {
    id: 'change-case',
    label: 'Change case',
    group: 'Clean',
    types: ['text'],
    fields: [
      {
        key: 'case',
        label: 'Case',
        kind: 'select',
        options: [
          ['lower', 'lower case'],
          ['upper', 'UPPER CASE'],
          ['title', 'Title Case'],
        ],
        default: 'lower',
      },
    ],
    build: (c, v) => ({ op: 'change-case', columns: [c], case: str(v, 'case') as 'lower' }),
    preview: (x, v) => (v.case === 'upper' ? x.toUpperCase() : v.case === 'lower' ? x.toLowerCase() : null),
  },
  {
    id: 'replace',
    label: 'Find and replace',
    group: 'Clean',
    types: ['text'],
    fields: [
      { key: 'find', label: 'Find', kind: 'text' },
      { key: 'replace', label: 'Replace with', kind: 'text', default: '' },
      { key: 'regex', label: 'Regular expression (RE2)', kind: 'checkbox' },
      { key: 'caseSensitive', label: 'Match case', kind: 'checkbox', default: true },
    ],
    build: (c, v) => ({
      op: 'replace',
      columns: [c],
      find: str(v, 'find'),
      replace: str(v, 'replace'),
      regex: bool(v, 'regex'),
      caseSensitive: bool(v, 'caseSensitive'),
    }),
    preview: (x, v) =>
      bool(v, 'regex') || !bool(v, 'caseSensitive') || !str(v, 'find')
        ? null
        : x.split(str(v, 'find')).join(str(v, 'replace')),
  },
  {
    id: 'fill-null',
    label: 'Fill empty cells',
    group: 'Clean',
    fields: [
      {
        key: 'strategy',
        label: 'Fill with',
        kind: 'select',
        options: [
          ['value', 'a fixed value'],
          ['down', 'the value above (fill down)'],
          ['up', 'the value below (fill up)'],
          ['mean', 'the mean'],
          ['median', 'the median'],
          ['mode', 'the most frequent value'],
        ],
        default: 'value',
      },
      { key: 'value', label: 'Value (for a fixed value)', kind: 'text', default: '' },
    ],
    // Blank text ('' as imported from an empty field, or whitespace) is a value, not null: down
    // and up fill '' as OpenRefine does, the other choices skip it, and whitespace is kept by all.
    notice: (c, p) =>
      p.type === 'text' && p.blanks > 0
        ? `${plural(p.blanks, 'cell')} of "${c}" ${p.blanks === 1 ? 'is' : 'are'} blank text, not null (∅): ` +
          'the value above or below fills only the empty ones (as OpenRefine’s fill down), the other choices only null cells. ' +
          'To fill every blank cell, apply “Blank cells to null” first.'
        : undefined,
    build: (c, v) => ({
      op: 'fill-null',
      columns: [c],
      strategy: str(v, 'strategy') as 'value',
      ...(v.strategy === 'value' ? { value: str(v, 'value') } : {}),
    }),
  },
  {
    id: 'to-number',
    label: 'Convert to number',
    group: 'Convert',
    types: ['text'],
    fields: numberFields,
    build: (c, v) => ({ op: 'to-number', columns: [c], ...numberParams(v) }),
  },
  {
    id: 'to-integer',
    label: 'Convert to whole number',
    group: 'Convert',
    types: ['text', 'number'],
    fields: numberFields,
    build: (c, v) => ({ op: 'to-integer', columns: [c], ...numberParams(v) }),
  },
  {
    id: 'to-date',
    label: 'Convert to date',
    group: 'Convert',
    types: ['text'],
    fields: [
      {
        key: 'formats',
        label: 'Formats, tried in order (comma-separated)',
        kind: 'text',
        default: '%Y-%m-%d, %d/%m/%Y',
        help: '%Y year, %m month, %d day, %b month name; a comma inside a format stays in it (%b %d, %Y)',
      },
    ],
    build: (c, v) => ({ op: 'to-date', columns: [c], formats: dateFormatList(v.formats) }),
  },
  {
    id: 'filter-rows',
    label: 'Filter rows',
    group: 'Rows',
    fields: [
      {
        key: 'test',
        label: 'Rows where the value',
        kind: 'select',
        options: [
          ['eq', 'equals'],
          ['neq', 'does not equal'],
          ['contains', 'contains'],
          ['matches', 'matches the regular expression'],
          ['lt', 'is less than'],
          ['gt', 'is greater than'],
          ['is-null', 'is null'],
          ['not-null', 'is not null'],
        ],
        default: 'eq',
      },
      { key: 'value', label: 'Value', kind: 'text', default: '' },
      {
        key: 'keep',
        label: 'Then',
        kind: 'select',
        options: [
          ['keep', 'keep only those rows'],
          ['remove', 'remove those rows'],
        ],
        default: 'keep',
      },
    ],
    build: (c, v) => {
      const op = str(v, 'test') as 'eq';
      const noValue = op === ('is-null' as string) || op === ('not-null' as string);
      const raw = str(v, 'value');
      const value =
        (op === ('lt' as string) || op === ('gt' as string)) &&
        raw.trim() !== '' &&
        Number.isFinite(Number(raw))
          ? Number(raw)
          : raw;
      return {
        op: 'filter-rows',
        where: { column: c, op, ...(noValue ? {} : { value }) },
        keep: v.keep !== 'remove',
      };
    },
  },
  {
    id: 'dedupe-rows',
    label: 'Remove duplicate rows',
    group: 'Rows',
    fields: [
      { key: 'onlyThis', label: 'Judge by this column only (otherwise: whole rows)', kind: 'checkbox' },
    ],
    build: (c, v) => (bool(v, 'onlyThis') ? { op: 'dedupe-rows', columns: [c] } : { op: 'dedupe-rows' }),
  },
  {
    id: 'sort-asc',
    label: 'Sort rows A → Z / 0 → 9',
    group: 'Rows',
    fields: [],
    build: (c) => ({ op: 'sort-rows', by: [{ column: c }] }),
  },
  {
    id: 'sort-desc',
    label: 'Sort rows Z → A / 9 → 0',
    group: 'Rows',
    fields: [],
    build: (c) => ({ op: 'sort-rows', by: [{ column: c, desc: true }] }),
  },
  {
    id: 'split-column',
    label: 'Split into columns',
    group: 'Columns',
    types: ['text'],
    fields: [
      { key: 'separator', label: 'Separator', kind: 'text', default: ',' },
      {
        key: 'into',
        label: 'New column names (comma-separated)',
        kind: 'text',
        placeholder: 'first, last',
        help: 'one column per part; a value with more parts than names keeps the first ones and loses the rest (the preview shows what each value gives)',
      },
      { key: 'regex', label: 'Separator is a regular expression', kind: 'checkbox' },
      { key: 'removeOriginal', label: 'Remove this column afterwards', kind: 'checkbox' },
    ],
    preview: (x, v) => {
      const names = list(v.into);
      const separator = str(v, 'separator');
      // A regular expression is RE2's, not JavaScript's: no preview rather than a wrong one.
      if (bool(v, 'regex') || names.length === 0 || separator === '') return null;
      const parts = x.split(separator);
      const kept = names.map(
        (n, i) => `${n}: ${parts[i] === undefined ? '(null)' : JSON.stringify(parts[i])}`,
      );
      const lost = parts.length - names.length;
      return lost > 0
        ? `${kept.join(', ')} — ${lost} more part${lost === 1 ? '' : 's'} lost`
        : kept.join(', ');
    },
    build: (c, v) => ({
      op: 'split-column',
      column: c,
      separator: str(v, 'separator'),
      into: list(v.into),
      regex: bool(v, 'regex'),
      removeOriginal: bool(v, 'removeOriginal'),
    }),
  },
  {
    id: 'split-rows',
    label: 'Split into rows (multi-valued cells)',
    group: 'Rows',
    types: ['text'],
    fields: [
      {
        key: 'separator',
        label: 'Separator',
        kind: 'text',
        default: ',',
        help: 'one row per part, in the row’s place; the row’s other values are repeated on each',
      },
      { key: 'regex', label: 'Separator is a regular expression', kind: 'checkbox' },
    ],
    preview: (x, v) => {
      const separator = str(v, 'separator');
      if (bool(v, 'regex') || separator === '') return null;
      const parts = x.split(separator);
      return `${plural(parts.length, 'row')}: ${parts.map((p) => JSON.stringify(p)).join(', ')}`;
    },
    build: (c, v) => ({
      op: 'split-rows',
      column: c,
      separator: str(v, 'separator'),
      regex: bool(v, 'regex'),
    }),
  },
  {
    id: 'join-rows',
    label: 'Join rows into one (multi-valued cells)',
    group: 'Rows',
    types: ['text'],
    fields: [
      { key: 'by', label: 'Rows are one record when these columns are equal', kind: 'columns' },
      {
        key: 'separator',
        label: 'Separator',
        kind: 'text',
        default: ', ',
        help: 'the values of this column, in row order, joined into the first row of each record; the other rows go',
      },
    ],
    build: (c, v) => {
      const by = (v.by as string[] | undefined) ?? [];
      if (by.length === 0) throw new Error('choose the columns that say which rows are one record');
      return { op: 'join-rows', column: c, separator: str(v, 'separator'), by };
    },
  },
  {
    id: 'merge-columns',
    label: 'Merge with other columns',
    group: 'Columns',
    fields: [
      { key: 'others', label: 'Columns to append', kind: 'columns' },
      { key: 'separator', label: 'Separator', kind: 'text', default: ' ' },
      { key: 'into', label: 'New column name', kind: 'text' },
      { key: 'removeOriginals', label: 'Remove the merged columns', kind: 'checkbox' },
    ],
    build: (c, v) => ({
      op: 'merge-columns',
      columns: [c, ...((v.others as string[] | undefined) ?? [])],
      separator: str(v, 'separator'),
      into: str(v, 'into'),
      removeOriginals: bool(v, 'removeOriginals'),
    }),
  },
  {
    id: 'rename-columns',
    label: 'Rename',
    group: 'Columns',
    fields: [{ key: 'to', label: 'New name', kind: 'text' }],
    build: (c, v) => ({ op: 'rename-columns', mapping: { [c]: str(v, 'to') } }),
  },
  {
    id: 'copy-column',
    label: 'Copy to a new column',
    group: 'Columns',
    fields: [
      {
        key: 'into',
        label: 'New column name',
        kind: 'text',
        help: 'the copy comes right after this column; change one and keep the other',
      },
    ],
    build: (c, v) => ({ op: 'copy-column', column: c, into: str(v, 'into') }),
  },
  {
    id: 'move-first',
    label: 'Move to the first position',
    group: 'Columns',
    fields: [],
    build: (c) => ({ op: 'reorder-columns', columns: [c] }),
  },
  {
    id: 'move-last',
    label: 'Move to the last position',
    group: 'Columns',
    fields: [],
    build: (c) => ({ op: 'reorder-columns', columns: [c], position: 'last' }),
  },
  {
    id: 'drop-columns',
    label: 'Remove this column',
    group: 'Columns',
    fields: [],
    build: (c) => ({ op: 'drop-columns', columns: [c] }),
  },
];

export function defaults(form: StepForm): Values {
  const v: Values = {};
  for (const f of form.fields) {
    if (f.kind === 'checkbox') v[f.key] = f.default ?? false;
    else if (f.kind === 'columns') v[f.key] = [];
    else v[f.key] = f.default ?? '';
  }
  return v;
}
