import type { ColumnProfile } from '@tidyvault/core';
import { optionalInt, type Args } from '../args.js';
import { openInput } from '../open-input.js';
import { terminalText } from '../terminal-text.js';

const show = (v: string | number | null) => (v === null ? '(null)' : terminalText(v).slice(0, 40));
/** A column name as printed: as it is, unless it holds characters a terminal would act on. */
const shownName = (name: string) => {
  const quoted = terminalText(name);
  return quoted.slice(1, -1) === name ? name : quoted;
};

function describe(c: ColumnProfile): string {
  const top = c.topValues
    .slice(0, 3)
    .map((t) => `${show(t.value)} ×${t.count}`)
    .join(', ');
  const len = c.minLength === null ? '-' : `${c.minLength}–${c.maxLength}`;
  return `  ${shownName(c.name)}\n    looks like ${c.inferredType}; ${c.distinct} distinct, ${c.nulls} null, ${c.blanks} blank, length ${len}\n    most frequent: ${top || '-'}\n`;
}

export async function profile(args: Args): Promise<number> {
  const input = args.positionals[0]!;
  const top = optionalInt(args, 'top', 1, 1000) ?? 10;
  const { engine, dataset, bar } = await openInput(args, input, 'profiling');
  try {
    const p = await engine.profile(dataset, undefined, top);
    bar.done();
    if (args.values.json) {
      const columns = p.columns.map((c) => ({
        name: c.name,
        nulls: c.nulls,
        blanks: c.blanks,
        distinct: c.distinct,
        minLength: c.minLength,
        maxLength: c.maxLength,
        topValues: c.topValues,
        inferredType: c.inferredType,
      }));
      process.stdout.write(JSON.stringify({ rows: p.rows, columns }) + '\n');
    } else {
      process.stdout.write(`${input}: ${p.rows.toLocaleString('en')} rows, ${p.columns.length} columns\n`);
      for (const c of p.columns) process.stdout.write(describe(c));
    }
    return 0;
  } finally {
    bar.done();
    await engine.close();
  }
}
