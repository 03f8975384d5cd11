/*
 * The page e2e/engine-wasm.test.ts drives in Chromium: it opens a WasmEngine (DuckDB in a Web
 * Worker, locked down) and exposes functions the test calls with Playwright's evaluate.
 * It is built by `npm run build -w @tidyvault/engine-wasm` into dist/test-page/ and is not shipped.
 */
import './zod-jitless.js';
import { pageOneWay } from './page-ways.js';
import {
  parseRecipe,
  runGoldenCase,
  type GoldenCase,
  type LoadedDataset,
  type TableResult,
} from '@tidyvault/core';
import { WasmEngine, type CsvImportOptions, type LoadOptions } from '../src/index.js';
import { capture, describe, type Captured } from './capture.js';

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

/** A value, or the error (code, message, location) the engine threw instead. */
export type Outcome<T> = { value: T } | { error: NonNullable<Captured['error']> };

/** The engine methods `call` reaches, by name; each takes the dataset, then JSON arguments. */
export type Method =
  | 'run'
  | 'count'
  | 'profile'
  | 'facet'
  | 'histogram'
  | 'cluster'
  | 'duplicates'
  | 'export'
  | 'state'
  | 'page';

export interface TestApi {
  ready: Promise<{ version: string; settings: Record<string, string> }>;
  /** runGoldenCase on every case, and what the engine made of each (for the comparison with engine-node). */
  golden(cases: PageCase[]): Promise<GoldenReport[]>;
  /** Load and run each case, from a Uint8Array or as a File. */
  capture(cases: PageCase[], as: 'bytes' | 'file', options?: CsvImportOptions): Promise<Captured[]>;
  /** Load `input` (base64) as `name`, kept by the page under the id returned, for `call`. */
  load(
    name: string,
    input: string,
    options?: LoadOptions,
  ): Promise<Outcome<{ id: number; columns: unknown; rowCount: number; warnings: string[] }>>;
  /**
   * Call an engine method on a loaded dataset, recipes given as JSON (parsed here). `cluster`
   * also reports whether progress was reported (`progress`: the last percentage).
   */
  call(id: number, method: Method, args: unknown[]): Promise<Outcome<unknown>>;
  /** The worksheets of an xlsx (base64). */
  sheets(input: string): Promise<Outcome<string[]>>;
  /** DuckDB's memory by tag (engine.memoryUsage()). */
  memory(): Promise<{ tag: string; memoryBytes: number }[]>;
  /** Drop a loaded dataset. */
  drop(id: number): Promise<void>;
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

async function base64Of(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

const loaded = new Map<number, LoadedDataset>();
let loadedCount = 0;

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

  async load(name, input, options = {}) {
    const engine = await opening;
    try {
      const dataset = await engine.loadFile(
        new File([bytesOf(input) as Uint8Array<ArrayBuffer>], name),
        name,
        options,
      );
      const id = ++loadedCount;
      loaded.set(id, dataset);
      const { columns, rowCount, warnings } = dataset;
      return { value: { id, columns, rowCount, warnings } };
    } catch (e) {
      return { error: describe(e)! };
    }
  },

  async call(id, method, args) {
    const engine = await opening;
    const ds = loaded.get(id);
    if (!ds) throw new Error(`no dataset ${id}`);
    const recipe = (v: unknown) => parseRecipe(v ?? { version: 1, steps: [] });
    try {
      switch (method) {
        case 'run':
          return {
            value: await engine.run(
              ds,
              recipe(args[0]),
              (args[1] ?? {}) as { offset?: number; limit?: number },
            ),
          };
        case 'page': {
          const [offset, limit, how] = [args[1] as number, args[2] as number, args[3] as string];
          return { value: await pageOneWay(engine, ds, recipe(args[0]), offset, limit, how) };
        }
        case 'count':
          return { value: await engine.count(ds, recipe(args[0])) };
        case 'profile':
          return {
            value: await engine.profile(
              ds,
              recipe(args[0]),
              args[1] as number | undefined,
              args[2] === undefined ? {} : { columns: args[2] as string[] },
            ),
          };
        case 'facet':
          return { value: await engine.facet(ds, recipe(args[0]), args[1] as string, args[2] as number) };
        case 'histogram':
          return {
            value: await engine.histogram(
              ds,
              recipe(args[0]),
              args[1] as string,
              args[2] as number,
              args[3] as 'value' | 'length' | undefined,
            ),
          };
        case 'cluster': {
          let progress: number | undefined;
          const result = await engine.cluster(
            ds,
            args[0] as string,
            args[1] as Parameters<WasmEngine['cluster']>[2],
            args[2] as Parameters<WasmEngine['cluster']>[3],
            recipe(args[3]),
            { onProgress: (p) => (progress = p) },
          );
          return { value: { result, progress } };
        }
        case 'duplicates':
          return {
            value: await engine.duplicates(
              ds,
              recipe(args[0]),
              args[1] as string[],
              args[2] as Parameters<WasmEngine['duplicates']>[3],
            ),
          };
        case 'state': {
          // The recipe held as states, as the workbench makes them: the first args[1] steps, then
          // the rest on that state; the rows read back from the last.
          const r = recipe(args[0]);
          const first = await engine.materialise(ds, { ...r, steps: r.steps.slice(0, args[1] as number) });
          const last = await engine.materialise(first, { ...r, steps: r.steps.slice(args[1] as number) });
          try {
            return { value: await engine.run(last, recipe(null)) };
          } finally {
            await engine.dropState(first);
            await engine.dropState(last);
          }
        }
        case 'export': {
          const blob = await engine.export(
            ds,
            recipe(args[0]),
            args[1] as Parameters<WasmEngine['export']>[2],
            args[2] as Parameters<WasmEngine['export']>[3],
          );
          return { value: { type: blob.type, base64: await base64Of(blob) } };
        }
      }
    } catch (e) {
      return { error: describe(e)! };
    }
  },

  async sheets(input) {
    try {
      return { value: await (await opening).sheets(new Blob([bytesOf(input) as Uint8Array<ArrayBuffer>])) };
    } catch (e) {
      return { error: describe(e)! };
    }
  },

  async memory() {
    return (await opening).memoryUsage();
  },

  async drop(id) {
    const engine = await opening;
    const ds = loaded.get(id);
    loaded.delete(id);
    if (ds) await engine.drop(ds);
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
