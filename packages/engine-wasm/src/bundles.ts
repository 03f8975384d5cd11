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

/**
 * Why the engine's WebAssembly cannot start from `url`, or undefined: a static host that sends
 * it with another Content-Type makes the worker fail without a word (the Open screen waited
 * forever). A host that does not answer HEAD (any error status) is given the benefit of the doubt.
 */
export async function wasmServedProblem(
  url: string,
  get: (url: string, init: { method: 'HEAD' }) => Promise<Response> = fetch,
): Promise<string | undefined> {
  let res: Response;
  try {
    res = await get(url, { method: 'HEAD' });
  } catch (e) {
    return `the engine's file ${url} could not be fetched (${e instanceof Error ? e.message : String(e)})`;
  }
  // Some hosts answer HEAD with an error while GET works: only a type given with 2xx is judged.
  if (!res.ok) return undefined;
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/wasm')
    return `the web server sends the engine's file ${url} as "${type || 'no Content-Type'}"; it must send .wasm files as application/wasm (a setting of the web server)`;
  return undefined;
}
