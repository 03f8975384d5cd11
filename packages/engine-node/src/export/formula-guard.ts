import { bin, call, caseWhen, col, inList, lit, type Expr } from '@tidyvault/sql';
import type { Column } from '@tidyvault/core';

/** First characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection, plus CR). */
export const FORMULA_STARTS = ['=', '+', '-', '@', '\t', '\r'];

/** A text cell starting with a formula character gets a leading apostrophe; other types never change. */
export function guardedColumn(c: Column): Expr {
  if (c.type !== 'text') return col(c.name);
  return caseWhen(
    [
      [
        inList(
          call('left', col(c.name), lit(1)),
          FORMULA_STARTS.map((s) => lit(s)),
        ),
        bin('||', lit("'"), col(c.name)),
      ],
    ],
    col(c.name),
  );
}

export function guardText(value: string): string {
  return FORMULA_STARTS.includes(value.charAt(0)) ? "'" + value : value;
}
