import { runGoldenCase } from '@tidyvault/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeEngine } from '../node-engine.js';
import { loadGoldenCases } from './golden-cases.js';

const cases = loadGoldenCases();
let engine: NodeEngine;

beforeAll(async () => {
  engine = await NodeEngine.open({ memoryLimit: '1GB', threads: 2 });
});
afterAll(async () => {
  await engine.close();
});

describe('engine conformance (golden recipes) — node', () => {
  it('has golden cases for every op', () => {
    expect(cases.length).toBeGreaterThan(40);
  });
  for (const c of cases) {
    it(c.name, async () => {
      const outcome = await runGoldenCase(engine, c);
      expect(outcome.message).toBe(c.expectedError ? outcome.message : 'ok');
      expect(outcome.ok, outcome.message).toBe(true);
    });
  }
});
