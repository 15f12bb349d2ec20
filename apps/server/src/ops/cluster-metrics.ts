import { AggregatorRegistry, type Registry } from 'prom-client';

/** In a worker of `serve --workers N`: answers the primary's requests for metrics with `registry`. */
export function shareWorkerMetrics(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's listener for the primary's requests.
  new AggregatorRegistry();
}

/**
 * In the primary: collects the metrics of every worker and adds them up (prom-client's cluster
 * aggregation; the gauges read from the database report the largest value instead).
 */
export function clusterMetricsCollector(): () => Promise<{ contentType: string; body: string }> {
  const aggregator = new AggregatorRegistry();
  return async () => ({ contentType: aggregator.contentType, body: await aggregator.clusterMetrics() });
}
