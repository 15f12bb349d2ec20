import { decodePKIMessage, encodePKIMessage, isDerError, type DecodeOptions } from '../../src/index.js';

/** What {@link checkInput} saw over many inputs. */
export interface RobustnessReport {
  calls: number;
  decoded: number;
  /** DerError counts by kind. */
  kinds: Record<string, number>;
  /** Inputs that broke the contract: [label, what happened]. */
  failures: [string, string][];
  /** Slowest single decode (plus re-encode), in milliseconds. */
  slowestMs: number;
}

export function newReport(): RobustnessReport {
  return { calls: 0, decoded: 0, kinds: {}, failures: [], slowestMs: 0 };
}

/**
 * The robustness contract of decodePKIMessage on any input: it throws an error for which
 * `isDerError` is true, or it succeeds and re-encoding the result gives exactly the input
 * (lossless). Never another exception type. Records the result in `report`.
 */
export function checkInput(report: RobustnessReport, label: string, bytes: Uint8Array, options?: DecodeOptions): void {
  report.calls++;
  const t0 = performance.now();
  try {
    const message = decodePKIMessage(bytes, options);
    const again = encodePKIMessage(message);
    report.decoded++;
    if (again.length !== bytes.length || !again.every((b, i) => b === bytes[i])) {
      report.failures.push([label, 'decoded but does not re-encode to the same bytes']);
    }
  } catch (e) {
    if (isDerError(e)) report.kinds[e.kind] = (report.kinds[e.kind] ?? 0) + 1;
    else report.failures.push([label, `${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`]);
  }
  const ms = performance.now() - t0;
  if (ms > report.slowestMs) report.slowestMs = ms;
}

/** A short summary of the first failures, for assertion messages. */
export function failureSummary(report: RobustnessReport): string {
  return report.failures
    .slice(0, 5)
    .map(([label, what]) => `${label}: ${what}`)
    .join('\n');
}
