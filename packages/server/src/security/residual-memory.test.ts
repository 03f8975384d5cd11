import { describe, expect, it } from 'vitest';
import { hardenResidualMemory, heapWritingOption, nodeOptionsArgs } from './residual-memory.js';

describe('residual-memory hardening at start (SECURITY-CONTROLS 17)', () => {
  it('finds a heap-writing option on the command line or in NODE_OPTIONS, and nothing else', () => {
    expect(heapWritingOption(['--heapsnapshot-near-heap-limit=3'], undefined)).toBe(
      '--heapsnapshot-near-heap-limit (in the node command line)',
    );
    expect(heapWritingOption([], '--max-old-space-size=4096 --heapsnapshot-signal=SIGUSR2')).toBe(
      '--heapsnapshot-signal (in NODE_OPTIONS)',
    );
    expect(heapWritingOption(['--heap-prof'], '')).toBe('--heap-prof (in the node command line)');
    // Node reads an underscore as a dash in the name; a debugger reads the heap too.
    expect(heapWritingOption([], '--heapsnapshot_signal=SIGUSR2')).toBe(
      '--heapsnapshot-signal (in NODE_OPTIONS)',
    );
    expect(heapWritingOption(['--heapsnapshot_near_heap_limit=1'], '')).toBe(
      '--heapsnapshot-near-heap-limit (in the node command line)',
    );
    expect(heapWritingOption([], '--inspect=127.0.0.1:0')).toBe('--inspect (in NODE_OPTIONS)');
    expect(heapWritingOption(['--inspect-brk'], '')).toBe('--inspect-brk (in the node command line)');
    expect(heapWritingOption(['--inspect-brk-node'], '')).toBe(
      '--inspect-brk-node (in the node command line)',
    );
    // NODE_OPTIONS read as Node reads it: quotes removed, also inside a word.
    expect(heapWritingOption([], '"--heapsnapshot-signal=SIGUSR2"')).toBe(
      '--heapsnapshot-signal (in NODE_OPTIONS)',
    );
    expect(heapWritingOption([], '--insp"ect"=0')).toBe('--inspect (in NODE_OPTIONS)');
    expect(heapWritingOption([], '--heapsnapshot-signal SIGUSR2')).toBe(
      '--heapsnapshot-signal (in NODE_OPTIONS)',
    );
    expect(heapWritingOption([], '--max-old-space-size=4096 --title="a b"')).toBe(undefined);
    expect(heapWritingOption(['--max-old-space-size=4096', '--enable-source-maps'], '--no-warnings')).toBe(
      undefined,
    );
  });

  it('splits NODE_OPTIONS as Node does', () => {
    expect(nodeOptionsArgs(' --a "--b c" --d="e \\"f\\"" g"h" ')).toEqual([
      '--a',
      '--b c',
      '--d=e "f"',
      'gh',
    ]);
  });

  it('turns diagnostic reports off', () => {
    process.report.reportOnFatalError = true;
    process.report.reportOnSignal = true;
    process.report.reportOnUncaughtException = true;
    hardenResidualMemory();
    expect(process.report.reportOnFatalError).toBe(false);
    expect(process.report.reportOnSignal).toBe(false);
    expect(process.report.reportOnUncaughtException).toBe(false);
  });
});
