import type { FunctionName, SettingName, TableFunctionName } from './functions.js';

/** SQL types a step may produce or cast to: a closed list, never a user string. */
export type SqlType = 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'INTEGER' | 'DATE' | 'TIMESTAMP' | 'BOOLEAN';

export type BinaryOperator =
  | '='
  | '<>'
  | '<'
  | '<='
  | '>'
  | '>='
  | 'AND'
  | 'OR'
  | '||'
  | '+'
  | '-'
  | '*'
  | '/'
  | 'IS DISTINCT FROM'
  | 'IS NOT DISTINCT FROM';

export type UnaryOperator = 'NOT' | '-' | 'IS NULL' | 'IS NOT NULL';

export type LiteralValue = string | number | bigint | boolean | null;

export interface OrderItem {
  expr: Expr;
  desc?: boolean;
  nulls?: 'FIRST' | 'LAST';
}

export type WindowFrame =
  'UNBOUNDED_PRECEDING_TO_CURRENT' | 'CURRENT_TO_UNBOUNDED_FOLLOWING' | 'WHOLE_PARTITION';

export interface WindowSpec {
  partitionBy?: Expr[];
  orderBy?: OrderItem[];
  frame?: WindowFrame;
}

export type Expr =
  | { kind: 'column'; name: string; table?: string }
  | { kind: 'literal'; value: LiteralValue }
  | { kind: 'param'; index: number }
  | {
      kind: 'call';
      fn: FunctionName;
      args: Expr[];
      distinct?: boolean;
      orderBy?: OrderItem[];
      ignoreNulls?: boolean;
      over?: WindowSpec;
    }
  | { kind: 'countStar'; over?: WindowSpec }
  | { kind: 'binary'; op: BinaryOperator; left: Expr; right: Expr }
  | { kind: 'unary'; op: UnaryOperator; arg: Expr }
  | { kind: 'case'; whens: { when: Expr; then: Expr }[]; else?: Expr }
  | { kind: 'cast'; expr: Expr; to: SqlType; try?: boolean }
  | { kind: 'in'; expr: Expr; list: Expr[]; negated?: boolean }
  | { kind: 'lambda'; params: string[]; body: Expr }
  | { kind: 'list'; items: Expr[] }
  | { kind: 'index'; expr: Expr; index: Expr }
  | { kind: 'slice'; expr: Expr; from: Expr; to?: Expr }
  | { kind: 'subquery'; query: Select }
  | { kind: 'struct'; fields: { name: string; value: Expr }[] };

export interface SelectItem {
  expr: Expr;
  as?: string;
}

export type From =
  | { kind: 'table'; name: string; alias?: string }
  | { kind: 'subquery'; query: Select; alias: string }
  | { kind: 'join'; type: 'LEFT' | 'INNER' | 'CROSS'; left: From; right: From; on?: Expr }
  | {
      kind: 'tableFunction';
      fn: TableFunctionName;
      args: Expr[];
      named?: Record<string, Expr>;
      alias?: string;
    };

export interface Cte {
  name: string;
  query: Select;
  materialized?: boolean;
}

export interface Select {
  kind: 'select';
  with?: Cte[];
  distinct?: boolean;
  /** `*` (optionally EXCLUDE / REPLACE) comes first when set. */
  star?: { table?: string; exclude?: string[]; replace?: SelectItem[] };
  columns: SelectItem[];
  from?: From;
  where?: Expr;
  groupBy?: Expr[];
  having?: Expr;
  qualify?: Expr;
  orderBy?: OrderItem[];
  limit?: number;
  offset?: number;
}

export type Statement =
  | Select
  | { kind: 'createTable'; name: string; orReplace?: boolean; temp?: boolean; query: Select }
  | { kind: 'createEmptyTable'; name: string; columns: { name: string; type: SqlType }[] }
  | { kind: 'dropTable'; name: string; ifExists?: boolean }
  | { kind: 'set'; name: SettingName; value: LiteralValue | string[] }
  | { kind: 'copyTo'; query: Select; path: string; options: Record<string, LiteralValue | string[]> }
  /** A second in-memory database (DuckDB compresses its tables at each checkpoint). */
  | { kind: 'attachMemory'; name: string; compress: boolean }
  | { kind: 'use'; name: string }
  | { kind: 'checkpoint'; name: string };
