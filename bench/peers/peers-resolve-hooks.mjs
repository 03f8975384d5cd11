// Module resolution hook (see register-peers.mjs): when a bare import such as '@duckdb/node-api'
// cannot be found from where the importing file lives (the peers' reference scripts live outside
// this repository, so they have no node_modules of their own), resolve it again as if it were
// imported from this repository's bench/ directory, i.e. from the repo's node_modules.
// Only the fallback path is changed: anything that resolves normally is left alone.
const FALLBACK_PARENT = new URL('../', import.meta.url).href; // .../bench/

const isBare = (s) => !/^(\.{0,2}\/|[a-zA-Z][a-zA-Z0-9+.-]*:)/.test(s);

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (e) {
    if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier)) throw e;
    return nextResolve(specifier, { ...context, parentURL: FALLBACK_PARENT });
  }
}
