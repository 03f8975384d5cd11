import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';

const SCRIPT = fs.readFileSync(path.join(import.meta.dirname, 'quiet-worker.js'), 'utf8');

/** quiet-worker.js run as the browser runs it, in a worker scope that records what it is asked. */
function runWorkerScript() {
  const posted: { message: unknown; transfer: unknown }[] = [];
  const printed: unknown[] = [];
  const imported: string[] = [];
  const print = (...a: unknown[]) => printed.push(a);
  const self = {
    location: {
      href: 'http://127.0.0.1/assets/quiet-worker.js?worker=http%3A%2F%2F127.0.0.1%2Fduckdb.worker.js',
    },
    console: { log: print, info: print, warn: print, error: print, debug: print, trace: print },
    postMessage(message: unknown, transfer?: unknown) {
      posted.push({ message, transfer });
    },
  };
  vm.runInNewContext(SCRIPT, { self, URL, Uint8Array, importScripts: (url: string) => imported.push(url) });
  return { self, posted, printed, imported };
}

describe('quiet-worker.js', () => {
  it("silences the worker's console and then runs DuckDB-WASM's worker script", () => {
    const { self, printed, imported } = runWorkerScript();
    self.console.error('Original Line: 1,secret');
    self.console.log('x');
    expect(printed).toEqual([]);
    expect(imported).toEqual(['http://127.0.0.1/duckdb.worker.js']);
  });

  it("moves a file's bytes to the page instead of copying them; other messages go as they were", () => {
    const { self, posted } = runWorkerScript();
    const bytes = new Uint8Array([1, 2, 3]);
    self.postMessage({ type: 'FILE_BUFFER', requestId: 7, data: bytes }, []);
    const ok = { type: 'OK', requestId: 8 };
    const other = [new ArrayBuffer(1)];
    self.postMessage(ok, other);
    expect(posted).toEqual([
      { message: { type: 'FILE_BUFFER', requestId: 7, data: bytes }, transfer: [bytes.buffer] },
      { message: ok, transfer: other },
    ]);
    expect((posted[0]!.transfer as ArrayBuffer[])[0]).toBe(bytes.buffer);
  });

  it('copies bytes that are a view into a larger buffer (such as the module memory)', () => {
    const { self, posted } = runWorkerScript();
    const view = new Uint8Array(new ArrayBuffer(16), 4, 8);
    self.postMessage({ type: 'FILE_BUFFER', requestId: 9, data: view }, []);
    expect(posted[0]!.transfer).toEqual([]);
  });
});
