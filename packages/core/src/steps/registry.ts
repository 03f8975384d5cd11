import { blankToNull } from './blank-to-null.js';
import { changeCase } from './change-case.js';
import { clusterMerge } from './cluster-merge.js';
import { describeCondition, type Condition } from './condition.js';
import { collapseWhitespace } from './collapse-whitespace.js';
import { copyColumn } from './copy-column.js';
import { dedupeGroups } from './dedupe-groups.js';
import { dedupeRows } from './dedupe-rows.js';
import { dropColumns } from './drop-columns.js';
import { fillNull } from './fill-null.js';
import { filterRows } from './filter-rows.js';
import { joinRows } from './join-rows.js';
import { massEdit } from './mass-edit.js';
import { mergeColumns } from './merge-columns.js';
import { renameColumns } from './rename-columns.js';
import { reorderColumns } from './reorder-columns.js';
import { replace } from './replace.js';
import { sortRows } from './sort-rows.js';
import { splitColumn } from './split-column.js';
import { splitRows } from './split-rows.js';
import { toDate } from './to-date.js';
import { toInteger } from './to-integer.js';
import { toNumber } from './to-number.js';
import { trim } from './trim.js';
import type { StepDefinition } from './types.js';

export const STEP_DEFINITIONS = [
  trim,
  collapseWhitespace,
  blankToNull,
  changeCase,
  replace,
  toNumber,
  toInteger,
  toDate,
  fillNull,
  dedupeRows,
  dedupeGroups,
  clusterMerge,
  massEdit,
  filterRows,
  splitColumn,
  splitRows,
  joinRows,
  mergeColumns,
  renameColumns,
  dropColumns,
  reorderColumns,
  copyColumn,
  sortRows,
] as const;

type Defs = (typeof STEP_DEFINITIONS)[number];
export type Step = Defs extends StepDefinition<infer S> ? S : never;
export type StepOp = Step['op'];

const byOp = new Map<string, StepDefinition<Step>>(
  STEP_DEFINITIONS.map((d) => [d.op, d as unknown as StepDefinition<Step>]),
);

export function stepDefinition(op: string): StepDefinition<Step> | undefined {
  return byOp.get(op);
}

export const STEP_OPS: readonly string[] = STEP_DEFINITIONS.map((d) => d.op);

/** The ops that take a `where`, changing only the rows it selects. */
export const ROW_SCOPED_OPS: readonly string[] = [...byOp.values()]
  .filter((d) => d.rowScoped === true)
  .map((d) => d.op);

/** The rows a row-scoped step is limited to, if it is. */
export function rowScopeOf(step: Step): Condition | undefined {
  return stepDefinition(step.op)?.rowScoped ? (step as { where?: Condition }).where : undefined;
}

/** The step in words, for the recipe panel and the CLI, with the rows it is limited to. */
export function describeStep(step: Step): string {
  const base = stepDefinition(step.op)?.describe(step) ?? step.op;
  const scope = rowScopeOf(step);
  return scope ? `${base}, only in rows where ${describeCondition(scope)}` : base;
}
