import { describe, expect, it } from 'vitest';
import { wasmServedProblem } from './bundles.js';

const answer = (status: number, type?: string) => async () =>
  new Response(null, { status, headers: type ? { 'content-type': type } : {} });

describe("the engine's WebAssembly as a static host serves it", () => {
  it('is fine as application/wasm, or when the host does not answer HEAD', async () => {
    expect(
      await wasmServedProblem('/assets/duckdb-eh.wasm', answer(200, 'application/wasm')),
    ).toBeUndefined();
    expect(
      await wasmServedProblem('/a.wasm', answer(200, 'Application/Wasm; charset=binary')),
    ).toBeUndefined();
    expect(await wasmServedProblem('/a.wasm', answer(405))).toBeUndefined();
    // A host whose HEAD fails while its GET works (e2e/engine-wasm-server.ts answers 404).
    expect(await wasmServedProblem('/a.wasm', answer(404))).toBeUndefined();
  });

  it('names the wrong Content-Type, and a fetch that failed', async () => {
    expect(await wasmServedProblem('/a.wasm', answer(200, 'application/octet-stream'))).toBe(
      `the web server sends the engine's file /a.wasm as "application/octet-stream"; it must send .wasm files as application/wasm (a setting of the web server)`,
    );
    expect(await wasmServedProblem('/a.wasm', answer(200))).toMatch(/as "no Content-Type"/);
    const offline = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect(await wasmServedProblem('/a.wasm', offline)).toMatch(/could not be fetched \(Failed to fetch\)/);
  });
});
