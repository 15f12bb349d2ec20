import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../vitest.shared.js';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'examples',
    include: ['test/**/*.spec.ts'],
    // The example runs as its own process; key generation and SQLite on a loaded machine.
    testTimeout: 60_000,
  },
});
