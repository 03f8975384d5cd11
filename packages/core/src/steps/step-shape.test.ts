import { describe, expect, it } from 'vitest';
import type { Step } from './registry.js';
import { stepShape, unchangedColumns } from './step-shape.js';
import type { Column } from './types.js';

const cols: Column[] = [
  { name: 'a', type: 'text' },
  { name: 'b', type: 'text' },
  { name: 'n', type: 'number' },
];

describe('step shapes (read off the compiled SQL)', () => {
  it.each<[Step, string]>([
    [{ op: 'trim' }, 'rowwise'],
    [{ op: 'change-case', columns: ['a'], case: 'upper' }, 'rowwise'],
    [{ op: 'drop-columns', columns: ['b'] }, 'rowwise'],
    [{ op: 'rename-columns', mapping: { a: 'x' } }, 'rowwise'],
    [{ op: 'split-column', column: 'a', separator: ';', into: ['x', 'y'] }, 'rowwise'],
    [{ op: 'fill-null', columns: ['a'], strategy: 'value', value: '?' }, 'rowwise'],
    // Every function each conversion calls is known to be scalar: a new one would lose the fast paths.
    [{ op: 'to-number', columns: ['a'] }, 'rowwise'],
    [{ op: 'to-integer', columns: ['a'] }, 'rowwise'],
    [{ op: 'to-date', columns: ['a'], formats: ['%d/%m/%Y', '%d%m%Y', '%Y-%m-%d %H:%M:%S%z'] }, 'rowwise'],
    // Their guard against values past 16 MiB calls error(): checked over every row when added.
    [{ op: 'replace', columns: ['a'], find: 'x', replace: 'xyz' }, 'rowwise'],
    [{ op: 'replace', columns: ['a'], find: '(x)', replace: '\\1\\1', regex: true }, 'rowwise'],
    [{ op: 'merge-columns', columns: ['a', 'b'], separator: '-', into: 'ab' }, 'rowwise'],
    [{ op: 'filter-rows', where: { column: 'a', op: 'eq', value: 'x' } }, 'filter'],
    [{ op: 'sort-rows', by: [{ column: 'a' }] }, 'counted'],
    [{ op: 'sort-rows', by: [{ column: 'n', desc: true }, { column: 'b' }] }, 'counted'],
    [{ op: 'fill-null', columns: ['a'], strategy: 'down' }, 'counted'],
    [{ op: 'dedupe-rows' }, 'other'],
    [{ op: 'dedupe-rows', columns: ['a'] }, 'other'],
    [{ op: 'cluster-merge', column: 'a', method: 'fingerprint' }, 'other'],
  ])('%j is %s', (step, shape) => {
    expect(stepShape(step, cols)).toBe(shape);
  });
});

describe('columns a step leaves unchanged (their profile carries over)', () => {
  it.each<[Step[], string[]]>([
    [[{ op: 'trim', columns: ['a'] }], ['b', 'n']],
    [[{ op: 'trim' }], ['n']],
    [
      [{ op: 'change-case', columns: ['a'], case: 'upper', where: { column: 'b', op: 'eq', value: 'x' } }],
      ['b', 'n'],
    ],
    [[{ op: 'sort-rows', by: [{ column: 'a' }] }], ['a', 'b', 'n']],
    [[{ op: 'fill-null', columns: ['a'], strategy: 'down' }], ['b', 'n']],
    [[{ op: 'cluster-merge', column: 'a', method: 'fingerprint' }], ['b', 'n']],
    [[{ op: 'rename-columns', mapping: { a: 'x' } }], ['b', 'n']],
    [[{ op: 'drop-columns', columns: ['b'] }], ['a', 'n']],
    [[{ op: 'split-column', column: 'a', separator: ';', into: ['x', 'y'] }], ['b', 'n']],
    [[{ op: 'filter-rows', where: { column: 'a', op: 'eq', value: 'x' } }], []],
    [[{ op: 'dedupe-rows', columns: ['a'] }], []],
    [
      [
        { op: 'trim', columns: ['a'] },
        { op: 'change-case', columns: ['b'], case: 'lower' },
      ],
      ['n'],
    ],
    [[{ op: 'trim', columns: ['a'] }, { op: 'dedupe-rows' }, { op: 'sort-rows', by: [{ column: 'a' }] }], []],
  ])('%j leaves %j', (steps, kept) => {
    expect([...unchangedColumns(steps, cols)].filter((c) => !c.startsWith('__')).sort()).toEqual(kept);
  });
});
