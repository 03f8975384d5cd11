import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const tidyvaultHome = (env: NodeJS.ProcessEnv = process.env): string =>
  env.TIDYVAULT_HOME && env.TIDYVAULT_HOME !== ''
    ? path.resolve(env.TIDYVAULT_HOME)
    : path.join(os.homedir(), '.tidyvault');

export const SECRET_FILE = 'server.key';
const SECRET_BYTES = 32;

/**
 * The data folder (0700) and the instance key (0600, 32 random bytes, made on first run).
 * Refuses a folder or key that other users can read, or a key that is too short.
 */
export function loadSecrets(home: string): { secretKey: Buffer } {
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  const st = fs.statSync(home);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new Error(`${home} belongs to another user; refusing to keep secrets there`);
  }
  if ((st.mode & 0o077) !== 0) fs.chmodSync(home, 0o700);
  const file = path.join(home, SECRET_FILE);
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, randomBytes(SECRET_BYTES).toString('base64url') + '\n', {
      mode: 0o600,
      flag: 'wx',
    });
  }
  const fst = fs.statSync(file);
  if ((fst.mode & 0o077) !== 0) {
    throw new Error(
      `${file} is readable by other users (mode ${(fst.mode & 0o777).toString(8)}); run chmod 600 on it`,
    );
  }
  const secretKey = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64url');
  if (secretKey.length < SECRET_BYTES)
    throw new Error(`${file} holds fewer than ${SECRET_BYTES} bytes; delete it to make a new one`);
  return { secretKey };
}

/**
 * The instance key, read only (never made, unlike loadSecrets): for tools that check what the
 * server wrote, such as `tidyvault audit verify`.
 */
export function readSecretKey(home: string): Buffer {
  const file = path.join(home, SECRET_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`${file} does not exist: this folder holds no server key`);
    throw e;
  }
  const key = Buffer.from(text.trim(), 'base64url');
  if (key.length < SECRET_BYTES) throw new Error(`${file} holds fewer than ${SECRET_BYTES} bytes`);
  return key;
}
