import type { BroadcastResult } from '@cmpkit/core';

/** One line on how a broadcast went: `pushed 1, posted 2, stored 3 for the running server to deliver`. */
export function describeDeliveries(result: BroadcastResult): string {
  if (result.recipients === 0 && result.pushed + result.posted === 0) return 'no recipients known yet';
  const stored = Math.max(0, result.recipients - result.pushed - result.posted);
  const parts = [
    ...(result.pushed ? [`pushed ${result.pushed}`] : []),
    ...(result.posted ? [`posted ${result.posted}`] : []),
    ...(stored ? [`stored ${stored} for the running server to deliver`] : []),
  ];
  return parts.join(', ');
}
