import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tidyvault, workdir, write } from '../e2e/run-cli.js';

describe('tidyvault serve settings', () => {
  it('documents where settings come from and every setting in --help', () => {
    const r = tidyvault(['serve', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1\. a flag[\s\S]*2\. its environment variable[\s\S]*3\. the config file/);
    for (const flag of ['--max-columns', '--max-cell-length', '--dataset-idle', '--spill-dir', '--config'])
      expect(r.stdout).toContain(flag);
  });

  it('stops with exit 2 naming the config file and the key it does not know', () => {
    const home = path.join(workdir(), 'home');
    fs.mkdirSync(home, { mode: 0o700 });
    const config = write(home, 'config.json', JSON.stringify({ port: 0, maxUplaod: '1GB' }));
    const r = tidyvault(['serve'], { env: { TIDYVAULT_HOME: home } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${config}: unknown key "maxUplaod"`);
  });

  it('stops with exit 2 naming the flag whose value is bad', () => {
    const r = tidyvault(['serve', '--dataset-idle', 'forever'], {
      env: { TIDYVAULT_HOME: path.join(workdir(), 'home') },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--dataset-idle: must be a duration such as 30m/);
  });
});
