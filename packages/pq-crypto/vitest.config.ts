import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'pq-crypto',
    include: ['test/**/*.spec.ts'],
    testTimeout: 20_000,
  },
});
