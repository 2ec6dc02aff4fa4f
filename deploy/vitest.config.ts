import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Synthesizing stages the bot's image context and resolves the whole template.
    testTimeout: 60_000,
  },
});
