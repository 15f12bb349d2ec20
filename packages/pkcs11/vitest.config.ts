import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'pkcs11',
    include: ['test/**/*.spec.ts'],
    testTimeout: 20_000,
  },
});
