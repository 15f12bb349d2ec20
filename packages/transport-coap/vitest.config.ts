import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'transport-coap',
    include: ['test/**/*.spec.ts'],
    testTimeout: 20_000, // key generation and PBM-heavy tests are slow on a loaded 2-core machine
  },
});
