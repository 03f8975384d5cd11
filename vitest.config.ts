import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'bench/**/*.test.ts', 'e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // expect.poll's default (1 s) is too short for a browser on a loaded 2-core CI machine; a
    // condition that holds passes at once, so this only changes how long a real failure waits.
    expect: { poll: { timeout: 15_000 } },
  },
});
