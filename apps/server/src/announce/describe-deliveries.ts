import type { Delivery } from '@cmpkit/core';

/** One line on how announcements went: `pushed 1, posted 2, stored for later 3`. */
export function describeDeliveries(deliveries: readonly Delivery[]): string {
  if (deliveries.length === 0) return 'no recipients known yet';
  const count = (route: Delivery['route']): number => deliveries.filter((d) => d.route === route).length;
  const parts = [
    ...(count('pushed') ? [`pushed ${count('pushed')}`] : []),
    ...(count('posted') ? [`posted ${count('posted')}`] : []),
    ...(count('stored') ? [`stored ${count('stored')} for the running server to deliver`] : []),
  ];
  return parts.join(', ');
}
