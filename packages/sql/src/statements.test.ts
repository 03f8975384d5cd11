import { describe, expect, it } from 'vitest';
import { statement } from './codegen.js';

describe('database statements', () => {
  it('attach a compressed in-memory database, use it and checkpoint it, names quoted', () => {
    expect(statement({ kind: 'attachMemory', name: 'tidyvault', compress: true })).toBe(
      `ATTACH ':memory:' AS "tidyvault" (COMPRESS)`,
    );
    expect(statement({ kind: 'attachMemory', name: 'm', compress: false })).toBe(`ATTACH ':memory:' AS "m"`);
    expect(statement({ kind: 'use', name: 'a"b' })).toBe(`USE "a""b"`);
    expect(statement({ kind: 'checkpoint', name: 'tidyvault' })).toBe(`CHECKPOINT "tidyvault"`);
  });
});
