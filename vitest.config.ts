// Test runner config, kept apart from vite.config.ts so the crx plugin never loads in tests.
import { defineConfig } from 'vitest/config';

// One throwaway PostgreSQL cluster per run for the store tests of both projects (issue 12).
const PG_SETUP = './tests/support/pg-global-setup.ts';
// The worker's connection uses the browser's WebSocket; Node 20 has none (issue 15).
const NODE_WEBSOCKET = './tests/support/node-websocket.ts';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          globalSetup: [PG_SETUP],
          setupFiles: [NODE_WEBSOCKET],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: [PG_SETUP],
          setupFiles: [NODE_WEBSOCKET],
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 90_000,
          fileParallelism: false,
          // The popup refreshes room head counts every 2 s; a poll must outlast that with room to spare.
          expect: { poll: { timeout: 10_000, interval: 50 } },
        },
      },
    ],
  },
});
