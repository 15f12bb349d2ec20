import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'server',
    include: ['test/**/*.spec.ts'],
    // Key generation and the openssl end-to-end runs take a few seconds each.
    testTimeout: 30_000,
  },
});
