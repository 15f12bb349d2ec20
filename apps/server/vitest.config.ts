import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'server',
    include: ['test/**/*.spec.ts'],
    // A PostgreSQL server for the multi-instance tests.
    globalSetup: ['../../packages/test-utils/src/postgres-global-setup.ts'],
    // Key generation and the openssl end-to-end runs take a few seconds each.
    testTimeout: 30_000,
  },
});
