import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'store-postgres',
    include: ['test/**/*.spec.ts'],
    // A PostgreSQL server for the store contract (CMPKIT_TEST_POSTGRES_URL, or a throwaway cluster).
    globalSetup: ['../test-utils/src/postgres-global-setup.ts'],
    testTimeout: 30_000,
  },
});
