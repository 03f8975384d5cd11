import { expect, it } from 'vitest';
import { duckdbBytes, NodeEngine } from './node-engine.js';

it('reads sizes as DuckDB prints its settings', async () => {
  expect(duckdbBytes('1.8 GiB')).toBe(1.8 * 2 ** 30);
  expect(duckdbBytes('488.2 MiB')).toBe(488.2 * 2 ** 20);
  expect(duckdbBytes('512 bytes')).toBe(512);
  expect(duckdbBytes('unlimited')).toBeUndefined();
  const engine = await NodeEngine.open({ memoryLimit: '512MB', threads: 1 });
  try {
    // DuckDB rounds the limit it prints to a tenth of its unit.
    expect(Math.abs(engine.memoryLimitBytes! - 512e6) / 512e6).toBeLessThan(0.001);
  } finally {
    await engine.close();
  }
});
