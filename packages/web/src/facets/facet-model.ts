import { BLANK_PATTERN } from '@tidyvault/core';
import type { Condition } from '../api/types.js';

export type Facet =
  | { kind: 'text'; column: string; selected: (string | null)[]; invert: boolean }
  | { kind: 'range'; column: string; from?: number; to?: number }
  | { kind: 'blank'; column: string; text: boolean; show?: 'blank' | 'filled' };

/** A text column can hold blank text (empty or whitespace only) as well as null; other types only null. */
const isBlank = (column: string, text: boolean): Condition =>
  text
    ? {
        or: [
          { column, op: 'is-null' },
          { column, op: 'matches', value: BLANK_PATTERN },
        ],
      }
    : { column, op: 'is-null' };

/** The rows one facet keeps, or undefined when it keeps them all (nothing selected). */
export function facetWhere(f: Facet): Condition | undefined {
  switch (f.kind) {
    case 'text': {
      if (f.selected.length === 0) return undefined;
      const values = f.selected.filter((v): v is string => v !== null);
      const parts: Condition[] = [];
      if (values.length === 1) parts.push({ column: f.column, op: 'eq', value: values[0]! });
      else if (values.length > 1) parts.push({ column: f.column, op: 'in', value: values });
      if (f.selected.includes(null)) parts.push({ column: f.column, op: 'is-null' });
      const any: Condition = parts.length === 1 ? parts[0]! : { or: parts };
      return f.invert ? { not: any } : any;
    }
    case 'range': {
      const parts: Condition[] = [];
      if (f.from !== undefined) parts.push({ column: f.column, op: 'gte', value: f.from });
      if (f.to !== undefined) parts.push({ column: f.column, op: 'lte', value: f.to });
      if (parts.length === 0) return undefined;
      return parts.length === 1 ? parts[0]! : { and: parts };
    }
    case 'blank':
      if (f.show === undefined) return undefined;
      return f.show === 'blank' ? isBlank(f.column, f.text) : { not: isBlank(f.column, f.text) };
  }
}

/** Every facet's condition together (facets combine with AND), except `skip`'s own. */
export function combinedWhere(facets: Facet[], skip?: Facet): Condition | undefined {
  const parts = facets
    .filter((f) => f !== skip)
    .map(facetWhere)
    .filter((c): c is Condition => c !== undefined);
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { and: parts };
}

export function describeFacet(f: Facet): string {
  switch (f.kind) {
    case 'text':
      return f.selected.length === 0
        ? 'all values'
        : `${f.invert ? 'not ' : ''}${f.selected.length} value${f.selected.length === 1 ? '' : 's'}`;
    case 'range':
      return f.from === undefined && f.to === undefined ? 'any value' : `${f.from ?? '…'} to ${f.to ?? '…'}`;
    case 'blank':
      return f.show ?? 'all rows';
  }
}
