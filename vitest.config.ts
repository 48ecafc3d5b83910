import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['engine/test/**/*.test.ts', 'gateway/test/**/*.test.ts'],
    // Property suites run thousands of sequences; give them room on a 2-core CI machine.
    testTimeout: 120_000,
  },
});
