import { defineConfig } from 'vitest/config';
import { SummaryReporter } from './scripts/summary-reporter.js';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'examples'],
    reporters: ['default', new SummaryReporter()],
  },
});
