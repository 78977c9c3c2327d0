// The server's Prometheus metrics (docs/serve.md, "Metrics"), in a registry of its own so that two
// servers in one process do not share counters.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { BatcherStats } from '../explain/batcher';

export class ServeMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'status'>;
  readonly latency: Histogram<'status'>;
  readonly batchSize: Histogram;

  constructor(stats: () => BatcherStats) {
    collectDefaultMetrics({ register: this.registry, prefix: 'lrp_serve_' });
    this.requests = new Counter({ name: 'lrp_serve_requests_total', help: 'explain requests by HTTP status', labelNames: ['status'], registers: [this.registry] });
    this.latency = new Histogram({
      name: 'lrp_serve_request_duration_seconds', help: 'explain request latency, receipt to reply', labelNames: ['status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry],
    });
    this.batchSize = new Histogram({
      name: 'lrp_serve_batch_size', help: 'samples per native explain call', buckets: [1, 2, 4, 8, 16, 32, 64, 128], registers: [this.registry],
    });
    new Gauge({ name: 'lrp_serve_queue_depth', help: 'requests waiting for a batch', registers: [this.registry], collect() { this.set(stats().queued); } });
    new Gauge({ name: 'lrp_serve_running', help: 'requests in the batch running now', registers: [this.registry], collect() { this.set(stats().running); } });
  }
}
