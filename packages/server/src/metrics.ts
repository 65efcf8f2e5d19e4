import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus metrics of one server. A registry per instance (not prom-client's global one)
 * so tests can run several apps in one process. The trainer sets the model gauges.
 */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  eventsIngested: Counter<'result'>;
  /** seconds since the serving model was trained */
  modelAgeSeconds: Gauge;
  /** wall time of the last training run */
  trainingDurationSeconds: Gauge;
  /** count of training runs by outcome (promoted, rejected, failed) */
  trainingRuns: Counter<'outcome'>;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'attune_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'attune_http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'attune_http_request_duration_seconds',
      help: 'HTTP request latency by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    eventsIngested: new Counter({
      name: 'attune_events_ingested_total',
      help: 'Events received, by result: accepted, duplicate, rejected',
      labelNames: ['result'],
      registers: [registry],
    }),
    modelAgeSeconds: new Gauge({ name: 'attune_model_age_seconds', help: 'Age of the serving model', registers: [registry] }),
    trainingDurationSeconds: new Gauge({
      name: 'attune_training_duration_seconds',
      help: 'Duration of the last training run',
      registers: [registry],
    }),
    trainingRuns: new Counter({
      name: 'attune_training_runs_total',
      help: 'Training runs by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
