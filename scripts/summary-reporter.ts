import type { Reporter, RunnerTask, RunnerTestFile } from 'vitest';

function count(tasks: readonly RunnerTask[], totals: { passed: number; failed: number; skipped: number }): void {
  for (const task of tasks) {
    if (task.type === 'suite') count(task.tasks, totals);
    else if (task.mode === 'skip' || task.mode === 'todo') totals.skipped++;
    else if (task.result?.state === 'pass') totals.passed++;
    else if (task.result?.state === 'fail') totals.failed++;
  }
}

/** Ends the run with the plain `N passed, N failed, N skipped` line CI reads. */
export class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = []): void {
    const totals = { passed: 0, failed: 0, skipped: 0 };
    count(files, totals);
    process.stdout.write(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
  }
}
