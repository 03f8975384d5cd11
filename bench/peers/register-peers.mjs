// `node --import ./bench/peers/register-peers.mjs /path/to/peer-script.mjs ...` runs a peer's
// reference script unmodified, in place, with its bare imports (e.g. '@duckdb/node-api') resolved
// from this repository's node_modules. NODE_PATH does not work here: it only affects require(),
// not ESM import.
import { register } from 'node:module';

register('./peers-resolve-hooks.mjs', import.meta.url);
