/**
 * Why DuckDB's CSV reader stopped, in words, from its message: "CSV Error on Line: N", the line
 * itself (never repeated: it holds the data), then the cause. Causes it is known to give are
 * worded for people; another is given as DuckDB says it.
 */
export function csvReadErrorText(duckdbMessage: string): { line?: number; cause: string } {
  const lines = duckdbMessage.split('\n');
  const line = /Line: (\d+)/.exec(lines[0] ?? '')?.[1];
  const at = lines.findIndex((l) => l.startsWith('Original Line:'));
  const said = (at >= 0 ? lines[at + 1] : lines[0])?.replace(/^Invalid Input Error: /, '').trim() ?? '';
  const tooLong = /Maximum line size of (\d+) bytes exceeded/.exec(said);
  const cause = /invalid unicode|byte sequence mismatch/i.test(said)
    ? 'bytes that are not valid UTF-8'
    : tooLong
      ? `a line longer than ${Math.round(Number(tooLong[1]) / 2 ** 20)} MiB, the most one CSV line may hold`
      : said || 'DuckDB could not read it';
  return { ...(line !== undefined ? { line: Number(line) } : {}), cause };
}
