import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type ServerProcess } from '../packages/server/src/proofs/server-process.js';

export interface E2eServer {
  server: ServerProcess;
  dir: string;
  close: () => Promise<void>;
}

/** A real `tidyvault serve` (the built CLI) with its own private home folder. */
export async function serve(args: string[] = []): Promise<E2eServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-e2e-'));
  const home = path.join(dir, 'home');
  fs.mkdirSync(home, { mode: 0o700 });
  const server = await startServer({ home, cwd: dir, args });
  return {
    server,
    dir,
    close: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
