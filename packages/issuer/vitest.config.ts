import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'issuer',
    include: ['test/**/*.spec.ts'],
    testTimeout: 20_000, // key generation is slow on a loaded 2-core machine
  },
});
