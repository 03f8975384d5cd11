import type { BinaryOperator, Expr, LiteralValue, SqlType } from './ast.js';
import type { FunctionName } from './functions.js';

/** Small constructors so step code reads like the SQL it builds. */
export const col = (name: string, table?: string): Expr =>
  table === undefined ? { kind: 'column', name } : { kind: 'column', name, table };
export const lit = (value: LiteralValue): Expr => ({ kind: 'literal', value });
export const call = (fn: FunctionName, ...args: Expr[]): Expr => ({ kind: 'call', fn, args });
export const bin = (op: BinaryOperator, left: Expr, right: Expr): Expr => ({
  kind: 'binary',
  op,
  left,
  right,
});
export const and = (...xs: Expr[]): Expr => xs.reduce((a, b) => bin('AND', a, b));
export const or = (...xs: Expr[]): Expr => xs.reduce((a, b) => bin('OR', a, b));
export const not = (arg: Expr): Expr => ({ kind: 'unary', op: 'NOT', arg });
export const isNull = (arg: Expr): Expr => ({ kind: 'unary', op: 'IS NULL', arg });
export const isNotNull = (arg: Expr): Expr => ({ kind: 'unary', op: 'IS NOT NULL', arg });
export const cast = (e: Expr, to: SqlType): Expr => ({ kind: 'cast', expr: e, to });
export const tryCast = (e: Expr, to: SqlType): Expr => ({ kind: 'cast', expr: e, to, try: true });
export const caseWhen = (whens: [Expr, Expr][], otherwise?: Expr): Expr =>
  otherwise === undefined
    ? { kind: 'case', whens: whens.map(([when, then]) => ({ when, then })) }
    : { kind: 'case', whens: whens.map(([when, then]) => ({ when, then })), else: otherwise };
export const inList = (e: Expr, list: Expr[]): Expr => ({ kind: 'in', expr: e, list });
export const lambda = (params: string[], body: Expr): Expr => ({ kind: 'lambda', params, body });
export const list = (items: Expr[]): Expr => ({ kind: 'list', items });
