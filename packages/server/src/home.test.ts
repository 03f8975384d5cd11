import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSecrets, tidyvaultHome } from './home.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-home-test-'));

describe('$TIDYVAULT_HOME', () => {
  it('defaults to ~/.tidyvault and follows the variable', () => {
    expect(tidyvaultHome({})).toBe(path.join(os.homedir(), '.tidyvault'));
    expect(tidyvaultHome({ TIDYVAULT_HOME: '/srv/tv' })).toBe('/srv/tv');
  });

  it('creates a 0700 folder and a 0600 key on first run, and reuses it', () => {
    const dir = tmp();
    const home = path.join(dir, 'home');
    const a = loadSecrets(home);
    expect(a.secretKey.length).toBe(32);
    expect(fs.statSync(home).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(home, 'server.key')).mode & 0o777).toBe(0o600);
    expect(loadSecrets(home).secretKey.equals(a.secretKey)).toBe(true);
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses a key other users can read, and a short key', () => {
    const dir = tmp();
    loadSecrets(dir);
    const key = path.join(dir, 'server.key');
    fs.chmodSync(key, 0o644);
    expect(() => loadSecrets(dir)).toThrow(/readable by other users/);
    fs.rmSync(key);
    fs.writeFileSync(key, 'c2hvcnQ\n', { mode: 0o600 });
    expect(() => loadSecrets(dir)).toThrow(/fewer than 32 bytes/);
    fs.rmSync(dir, { recursive: true });
  });
});
