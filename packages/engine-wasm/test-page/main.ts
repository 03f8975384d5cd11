/*
 * The page e2e/engine-wasm.test.ts drives in Chromium: it opens a WasmEngine (DuckDB in a Web
 * Worker, locked down) and exposes functions the test calls with Playwright's evaluate.
 * It is built by `npm run build -w @tidyvault/engine-wasm` into dist/test-page/ and is not shipped.
 */
import './zod-jitless.js';
import { runGoldenCase, type GoldenCase, type TableResult } from '@tidyvault/core';
import { WasmEngine, type CsvImportOptions } from '../src/index.js';
import { capture, type Captured } from './capture.js';

export interface PageCase {
  name: string;
  /** The input bytes, base64. */
  input: string;
  recipe: unknown;
  expected?: TableResult;
  expectedError?: { step: number; column?: string };
}

export interface GoldenReport {
  name: string;
  ok: boolean;
  message: string;
  captured: Captured;
}

export interface TestApi {
  ready: Promise<{ version: string; settings: Record<string, string> }>;
  /** runGoldenCase on every case, and what the engine made of each (for the comparison with engine-node). */
  golden(cases: PageCase[]): Promise<GoldenReport[]>;
  /** Load and run each case, from a Uint8Array or as a File. */
  capture(cases: PageCase[], as: 'bytes' | 'file', options?: CsvImportOptions): Promise<Captured[]>;
  /** Run one SQL statement on the engine's connection: its error message, or null. */
  sqlError(sql: string): Promise<string | null>;
  /** The engine's tables and registered files (to check that a dropped dataset leaves nothing). */
  leftovers(): Promise<{ tables: string[]; files: string[] }>;
}

declare global {
  interface Window {
    tidyvaultTest: TestApi;
  }
}

const bytesOf = (base64: string): Uint8Array => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

const status = document.getElementById('status')!;
const opening = WasmEngine.open();
opening.then(
  (e) => (status.textContent = `ready: DuckDB ${e.version}`),
  (e: unknown) => (status.textContent = `failed: ${String(e)}`),
);

window.tidyvaultTest = {
  ready: opening.then((e) => ({ version: e.version, settings: e.settings })),

  async golden(cases) {
    const engine = await opening;
    const reports: GoldenReport[] = [];
    for (const c of cases) {
      const golden: GoldenCase = {
        name: c.name,
        inputCsv: bytesOf(c.input),
        recipe: c.recipe,
        ...(c.expected ? { expected: c.expected } : {}),
        ...(c.expectedError ? { expectedError: c.expectedError } : {}),
      };
      let outcome;
      try {
        outcome = await runGoldenCase(engine, golden);
      } catch (e) {
        outcome = { ok: false, message: `threw: ${String(e)}` };
      }
      const captured = await capture(engine, `${c.name}.csv`, bytesOf(c.input), c.recipe);
      reports.push({ name: c.name, ...outcome, captured });
    }
    return reports;
  },

  async capture(cases, as, options = {}) {
    const engine = await opening;
    const out: Captured[] = [];
    for (const c of cases) {
      out.push(
        await capture(engine, c.name, bytesOf(c.input), c.recipe, (name, bytes) =>
          as === 'file'
            ? engine.loadFile(new File([bytes as Uint8Array<ArrayBuffer>], name), name, options)
            : engine.loadCsv(name, bytes, options),
        ),
      );
    }
    return out;
  },

  async sqlError(sql) {
    const engine = await opening;
    try {
      await engine.connection.run(sql);
      return null;
    } catch (e) {
      return String((e as Error).message ?? e);
    }
  },

  async leftovers() {
    const engine = await opening;
    const tables = (await engine.connection.query('SELECT table_name FROM duckdb_tables()'))
      .toArray()
      .map((r) => String(r['table_name']));
    const files = (await engine.db.globFiles('*')).map((f) => f.fileName);
    return { tables, files };
  },
};
