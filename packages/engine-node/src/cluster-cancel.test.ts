import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTidyvaultError } from '@tidyvault/core';
import { NodeEngine } from './node-engine.js';

describe('NodeEngine.cluster: progress and cancellation (levenshtein, ppm)', () => {
  let engine: NodeEngine;
  beforeAll(async () => {
    engine = await NodeEngine.open({ threads: 1 });
  });
  afterAll(() => engine.close());

  // 20k distinct values sharing the blocking n-gram "value ": one block, ~2e8 pairs.
  const bigCsv = () =>
    new TextEncoder().encode(
      'v\n' + Array.from({ length: 20_000 }, (_, i) => `value ${i.toString(36).padStart(4, '0')}\n`).join(''),
    );

  it('reports percentages and rejects with CANCELLED when the signal fires mid-kNN', async () => {
    for (const method of ['levenshtein', 'ppm'] as const) {
      const dataset = await engine.loadCsv(`big-${method}.csv`, bigCsv());
      const controller = new AbortController();
      const seen: number[] = [];
      const result = engine.cluster(dataset, 'v', method, {}, undefined, {
        signal: controller.signal,
        // Progress comes only from the kNN loop: aborting here aborts the kNN work itself.
        onProgress: (p) => {
          seen.push(p);
          if (seen.length === 3) controller.abort();
        },
      });
      const error = await result.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isTidyvaultError(error) && { code: error.code, message: error.message }).toEqual({
        code: 'CANCELLED',
        message: 'cancelled',
      });
      expect(seen).toHaveLength(3);
      for (const p of seen) expect(p).toBeGreaterThanOrEqual(0);
      for (const p of seen) expect(p).toBeLessThanOrEqual(100);
      await engine.drop(dataset);
    }
  });

  it('an already fired signal rejects before any work; progress ends at 100', async () => {
    const dataset = await engine.loadCsv('small.csv', new TextEncoder().encode('v\nabc\nabd\nxyz\n'));
    const error = await engine
      .cluster(dataset, 'v', 'levenshtein', {}, undefined, { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(isTidyvaultError(error) && error.code).toBe('CANCELLED');
    const seen: number[] = [];
    const r = await engine.cluster(dataset, 'v', 'levenshtein', { blockingNgramSize: 2 }, undefined, {
      onProgress: (p) => seen.push(p),
    });
    expect(r.clusters.map((c) => c.values.map((v) => v.value))).toEqual([['abc', 'abd']]);
    expect(seen.at(-1)).toBe(100);
  });
});
