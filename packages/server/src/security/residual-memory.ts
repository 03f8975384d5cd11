import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * Node options that write the process's heap — and so the cell values it holds — to a file, or
 * open a debugger that reads it. A server started with one refuses to start: the data would
 * outlive its purge on disk, or be readable by any local process. Every `--inspect…` and
 * `--debug…` option counts (`--inspect-brk-node` turns the inspector on too).
 */
const HEAP_WRITERS = ['--heapsnapshot-near-heap-limit', '--heapsnapshot-signal', '--heap-prof'];
const DEBUGGER = /^--(inspect|debug)/;

/** NODE_OPTIONS split as Node splits it: on spaces outside double quotes, quotes removed, `\` escaping inside them. */
export function nodeOptionsArgs(text: string): string[] {
  const args: string[] = [];
  let current = '';
  let started = false;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '\\' && i + 1 < text.length) {
      current += text[++i];
    } else if (c === '"') {
      quoted = !quoted;
      started = true;
    } else if (!quoted && /\s/.test(c)) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else {
      current += c;
      started = true;
    }
  }
  if (started) args.push(current);
  return args;
}

/** The first heap-writing or debugger option in the command line or NODE_OPTIONS, and where it was found. */
export function heapWritingOption(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): string | undefined {
  // Node reads `_` as `-` in an option's name (`--heapsnapshot_signal`).
  const named = (raw: string) => {
    const name = (raw.split('=')[0] ?? '').replaceAll('_', '-');
    if (DEBUGGER.test(name)) return name;
    return HEAP_WRITERS.find((o) => name === o);
  };
  for (const arg of execArgv) if (named(arg)) return `${named(arg)} (in the node command line)`;
  for (const arg of nodeOptionsArgs(nodeOptions ?? ''))
    if (named(arg)) return `${named(arg)} (in NODE_OPTIONS)`;
  return undefined;
}

/**
 * SIGUSR1 would open Node's inspector on a running server (Node 20 has no
 * --disable-sigusr1): a listener of our own keeps it closed. Returns the function that removes it.
 */
export function keepDebuggerClosed(onSignal: () => void): () => void {
  process.on('SIGUSR1', onSignal);
  return () => void process.off('SIGUSR1', onSignal);
}

/** The soft limit on core file size from /proc/<pid>/limits: bytes, Infinity, or undefined if unreadable. */
export function coreLimit(pid: number | 'self' = 'self'): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/limits`, 'utf8');
  } catch {
    return undefined;
  }
  const soft = /^Max core file size\s+(\S+)/m.exec(text)?.[1];
  if (soft === undefined) return undefined;
  return soft === 'unlimited' ? Infinity : Number(soft);
}

/**
 * SECURITY-CONTROLS 17, at a server's start: no heap snapshot options (refused), no diagnostic
 * reports (turned off), no core dumps (the limit lowered to 0 with util-linux's `prlimit`, as
 * Node cannot set its own limits). Returns warnings for what could not be made safe.
 */
export function hardenResidualMemory(): string[] {
  const option = heapWritingOption();
  if (option) {
    throw new Error(
      `refusing to start with ${option}: it lets the process's memory, and the data it holds, be written to disk or read through a debugger`,
    );
  }
  // A report holds no heap, but it does hold the environment and the command line.
  process.report.reportOnFatalError = false;
  process.report.reportOnSignal = false;
  process.report.reportOnUncaughtException = false;
  if (process.platform !== 'linux') return [];
  if (coreLimit() !== 0)
    spawnSync('prlimit', ['--pid', String(process.pid), '--core=0'], { stdio: 'ignore' });
  const after = coreLimit();
  if (after === 0) return [];
  return [
    `core dumps are on (core file size limit ${after === undefined ? 'unknown' : String(after)}) and could not be turned off: a crash would write the data this server holds to disk; start it after "ulimit -c 0"`,
  ];
}
