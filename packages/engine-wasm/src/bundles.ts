import { selectBundle, type DuckDBBundles } from '@duckdb/duckdb-wasm';
// Self-hosted: Vite copies these files into the build and gives their same-origin URLs. Nothing
// is ever loaded from a CDN (the library's getJsDelivrBundles() is never called).
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import quietWorker from './quiet-worker.js?url';

export interface Bundle {
  /** The DuckDB WebAssembly module. */
  wasm: string;
  /** The classic worker script that runs it (through quiet-worker.js: no data in the console). */
  worker: string;
}

/** Absolute URLs: the worker resolves relative ones against its own location. */
const absolute = (url: string) => new URL(url, globalThis.location?.href).href;

/**
 * The bundle this browser can run: `eh` (WebAssembly exceptions, every current browser) or
 * `mvp`. The multi-threaded `coi` bundle is not shipped: it needs cross-origin isolation.
 */
export async function pickBundle(): Promise<Bundle> {
  const bundles: DuckDBBundles = {
    mvp: { mainModule: absolute(mvpWasm), mainWorker: absolute(mvpWorker) },
    eh: { mainModule: absolute(ehWasm), mainWorker: absolute(ehWorker) },
  };
  const b = await selectBundle(bundles);
  const quiet = new URL(absolute(quietWorker));
  quiet.searchParams.set('worker', b.mainWorker!);
  return { wasm: b.mainModule, worker: quiet.href };
}
