import type {
  Expr,
  From,
  LiteralValue,
  OrderItem,
  Select,
  SelectItem,
  Statement,
  WindowSpec,
} from './ast.js';
import { isFunctionName, isSettingName, isTableFunctionName } from './functions.js';
import { quoteIdentifier, quoteString, SqlQuoteError } from './quote.js';

const SQL_TYPES = new Set(['VARCHAR', 'DOUBLE', 'BIGINT', 'INTEGER', 'DATE', 'TIMESTAMP', 'BOOLEAN']);
const BINARY = new Set([
  '=',
  '<>',
  '<',
  '<=',
  '>',
  '>=',
  'AND',
  'OR',
  '||',
  '+',
  '-',
  '*',
  '/',
  'IS DISTINCT FROM',
  'IS NOT DISTINCT FROM',
]);
const COPY_OPTION = /^[A-Z_]+$/;
const LAMBDA_PARAM = /^[a-z_][a-z0-9_]*$/;

export function literal(value: LiteralValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return "CAST('nan' AS DOUBLE)";
    if (!Number.isFinite(value)) return value > 0 ? "CAST('inf' AS DOUBLE)" : "CAST('-inf' AS DOUBLE)";
    const text = String(value);
    return value < 0 ? `(${text})` : text;
  }
  return quoteString(value);
}

function window(spec: WindowSpec): string {
  const parts: string[] = [];
  if (spec.partitionBy?.length) parts.push('PARTITION BY ' + spec.partitionBy.map(expr).join(', '));
  if (spec.orderBy?.length) parts.push('ORDER BY ' + orderList(spec.orderBy));
  if (spec.frame === 'UNBOUNDED_PRECEDING_TO_CURRENT')
    parts.push('ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW');
  if (spec.frame === 'CURRENT_TO_UNBOUNDED_FOLLOWING')
    parts.push('ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING');
  if (spec.frame === 'WHOLE_PARTITION')
    parts.push('ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING');
  return ` OVER (${parts.join(' ')})`;
}

function orderList(items: OrderItem[]): string {
  return items
    .map(
      (o) =>
        expr(o.expr) +
        (o.desc ? ' DESC' : ' ASC') +
        (o.nulls ? ` NULLS ${o.nulls === 'FIRST' ? 'FIRST' : 'LAST'}` : ''),
    )
    .join(', ');
}

export function expr(e: Expr): string {
  switch (e.kind) {
    case 'column':
      return (e.table ? quoteIdentifier(e.table) + '.' : '') + quoteIdentifier(e.name);
    case 'literal':
      return literal(e.value);
    case 'param':
      if (!Number.isInteger(e.index) || e.index < 1) throw new SqlQuoteError('bad parameter index');
      return '$' + e.index;
    case 'call': {
      if (!isFunctionName(e.fn)) throw new SqlQuoteError(`function not allowed: ${String(e.fn)}`);
      const args = e.args.map(expr).join(', ');
      const order = e.orderBy?.length ? ' ORDER BY ' + orderList(e.orderBy) : '';
      const nulls = e.ignoreNulls ? ' IGNORE NULLS' : '';
      return `${e.fn}(${e.distinct ? 'DISTINCT ' : ''}${args}${order}${nulls})${e.over ? window(e.over) : ''}`;
    }
    case 'countStar':
      return 'count(*)' + (e.over ? window(e.over) : '');
    case 'binary':
      if (!BINARY.has(e.op)) throw new SqlQuoteError(`operator not allowed: ${String(e.op)}`);
      return `(${expr(e.left)} ${e.op} ${expr(e.right)})`;
    case 'unary':
      switch (e.op) {
        case 'NOT':
          return `(NOT ${expr(e.arg)})`;
        case '-':
          return `(- ${expr(e.arg)})`;
        case 'IS NULL':
          return `(${expr(e.arg)} IS NULL)`;
        case 'IS NOT NULL':
          return `(${expr(e.arg)} IS NOT NULL)`;
        default:
          throw new SqlQuoteError('operator not allowed');
      }
    case 'case': {
      const whens = e.whens.map((w) => ` WHEN ${expr(w.when)} THEN ${expr(w.then)}`).join('');
      return `(CASE${whens}${e.else ? ' ELSE ' + expr(e.else) : ''} END)`;
    }
    case 'cast':
      if (!SQL_TYPES.has(e.to)) throw new SqlQuoteError(`type not allowed: ${String(e.to)}`);
      return `${e.try ? 'TRY_CAST' : 'CAST'}(${expr(e.expr)} AS ${e.to})`;
    case 'in':
      if (e.list.length === 0) return e.negated ? 'TRUE' : 'FALSE';
      return `(${expr(e.expr)}${e.negated ? ' NOT' : ''} IN (${e.list.map(expr).join(', ')}))`;
    case 'lambda':
      for (const p of e.params) if (!LAMBDA_PARAM.test(p)) throw new SqlQuoteError('bad lambda parameter');
      return `lambda ${e.params.join(', ')}: ${expr(e.body)}`;
    case 'list':
      return `[${e.items.map(expr).join(', ')}]`;
    case 'index':
      return `(${expr(e.expr)})[${expr(e.index)}]`;
    case 'slice':
      return `(${expr(e.expr)})[${expr(e.from)}:${e.to ? expr(e.to) : ''}]`;
    case 'subquery':
      return `(${select(e.query)})`;
    case 'struct':
      return `{${e.fields.map((f) => `${quoteString(f.name)}: ${expr(f.value)}`).join(', ')}}`;
  }
}

function item(i: SelectItem): string {
  return expr(i.expr) + (i.as !== undefined ? ' AS ' + quoteIdentifier(i.as) : '');
}

function from(f: From): string {
  switch (f.kind) {
    case 'table':
      return quoteIdentifier(f.name) + (f.alias ? ' AS ' + quoteIdentifier(f.alias) : '');
    case 'subquery':
      return `(${select(f.query)}) AS ${quoteIdentifier(f.alias)}`;
    case 'join': {
      const on = f.type === 'CROSS' ? '' : ` ON ${expr(f.on ?? { kind: 'literal', value: true })}`;
      return `${from(f.left)} ${f.type} JOIN ${from(f.right)}${on}`;
    }
    case 'tableFunction': {
      if (!isTableFunctionName(f.fn)) throw new SqlQuoteError(`table function not allowed: ${String(f.fn)}`);
      const args = f.args.map(expr);
      for (const [k, v] of Object.entries(f.named ?? {})) {
        if (!/^[a-z_]+$/.test(k)) throw new SqlQuoteError('bad option name');
        args.push(`${k} = ${expr(v)}`);
      }
      return `${f.fn}(${args.join(', ')})` + (f.alias ? ' AS ' + quoteIdentifier(f.alias) : '');
    }
  }
}

export function select(s: Select): string {
  const parts: string[] = [];
  if (s.with?.length) {
    parts.push(
      'WITH ' +
        s.with
          .map(
            (c) =>
              `${quoteIdentifier(c.name)} AS ${c.materialized ? 'MATERIALIZED ' : ''}(${select(c.query)})`,
          )
          .join(',\n'),
    );
  }
  const items: string[] = [];
  if (s.star) {
    let star = (s.star.table ? quoteIdentifier(s.star.table) + '.' : '') + '*';
    if (s.star.exclude?.length) star += ` EXCLUDE (${s.star.exclude.map(quoteIdentifier).join(', ')})`;
    if (s.star.replace?.length) star += ` REPLACE (${s.star.replace.map(item).join(', ')})`;
    items.push(star);
  }
  items.push(...s.columns.map(item));
  if (items.length === 0) throw new SqlQuoteError('a SELECT needs at least one column');
  parts.push('SELECT ' + (s.distinct ? 'DISTINCT ' : '') + items.join(', '));
  if (s.from) parts.push('FROM ' + from(s.from));
  if (s.where) parts.push('WHERE ' + expr(s.where));
  if (s.groupBy?.length) parts.push('GROUP BY ' + s.groupBy.map(expr).join(', '));
  if (s.having) parts.push('HAVING ' + expr(s.having));
  if (s.qualify) parts.push('QUALIFY ' + expr(s.qualify));
  if (s.orderBy?.length) parts.push('ORDER BY ' + orderList(s.orderBy));
  if (s.limit !== undefined) parts.push('LIMIT ' + nonNegativeInt(s.limit));
  if (s.offset !== undefined) parts.push('OFFSET ' + nonNegativeInt(s.offset));
  return parts.join('\n');
}

function nonNegativeInt(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new SqlQuoteError('LIMIT/OFFSET must be a non-negative integer');
  return String(n);
}

function copyOption(value: LiteralValue | string[]): string {
  if (Array.isArray(value)) return `(${value.map(quoteString).join(', ')})`;
  return literal(value);
}

export function statement(s: Statement): string {
  switch (s.kind) {
    case 'select':
      return select(s);
    case 'createTable':
      return `CREATE ${s.orReplace ? 'OR REPLACE ' : ''}${s.temp ? 'TEMP ' : ''}TABLE ${quoteIdentifier(s.name)} AS\n${select(s.query)}`;
    case 'set':
      if (!isSettingName(s.name)) throw new SqlQuoteError(`setting not allowed: ${String(s.name)}`);
      return `SET ${s.name} = ${Array.isArray(s.value) ? `[${s.value.map(quoteString).join(', ')}]` : literal(s.value)}`;
    case 'createEmptyTable':
      for (const c of s.columns) if (!SQL_TYPES.has(c.type)) throw new SqlQuoteError('type not allowed');
      return `CREATE TABLE ${quoteIdentifier(s.name)} (${s.columns.map((c) => `${quoteIdentifier(c.name)} ${c.type}`).join(', ')})`;
    case 'dropTable':
      return `DROP TABLE ${s.ifExists ? 'IF EXISTS ' : ''}${quoteIdentifier(s.name)}`;
    case 'copyTo': {
      const opts = Object.entries(s.options).map(([k, v]) => {
        if (!COPY_OPTION.test(k)) throw new SqlQuoteError('bad COPY option');
        return `${k} ${copyOption(v)}`;
      });
      return `COPY (${select(s.query)}) TO ${quoteString(s.path)} (${opts.join(', ')})`;
    }
    case 'attachMemory':
      return `ATTACH ':memory:' AS ${quoteIdentifier(s.name)}${s.compress ? ' (COMPRESS)' : ''}`;
    case 'use':
      return `USE ${quoteIdentifier(s.name)}`;
    case 'checkpoint':
      return `CHECKPOINT ${quoteIdentifier(s.name)}`;
  }
}
