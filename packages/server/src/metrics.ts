import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus metrics of one server. A registry per instance (not prom-client's global one)
 * so tests can run several apps in one process. The trainer sets the model gauges.
 */
export interface Metrics {
  registry: Registry;
  /** filled by `recordHttp` when scraped: not incremented directly */
  httpRequests: Counter<'method' | 'route' | 'status'>;
  /** filled by `recordHttp` when scraped: not observed directly */
  httpDuration: Histogram<'method' | 'route'>;
  /**
   * Counts one answered request in httpRequests and httpDuration: a few Map lookups and
   * additions, no label objects hashed per request (see HttpTallies).
   */
  recordHttp(method: string, route: string, statusCode: number, seconds: number): void;
  /** filled by `recordIngested` when scraped: not incremented directly */
  eventsIngested: Counter<'result'>;
  /** Counts events by result in plain fields (a single-event POST must not hash a label object). */
  recordIngested(result: IngestResult, n: number): void;
  /** seconds since the serving model was trained */
  modelAgeSeconds: Gauge;
  /** wall time of the last training run */
  trainingDurationSeconds: Gauge;
  /** count of training runs by outcome (promoted, rejected, failed) */
  trainingRuns: Counter<'outcome'>;
  /** stops what watches the process (the garbage-collection observer); the registry stays readable */
  close(): void;
}

export type IngestResult = 'accepted' | 'duplicate' | 'rejected';

const HTTP_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  let gcObserver: PerformanceObserver | undefined;
  if (opts.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry, prefix: 'attune_' });
    gcObserver = observeGcDurations(registry);
  }
  const http = new HttpTallies(HTTP_DURATION_BUCKETS);
  // per result in the order first seen, as prom-client lists label sets
  const ingested: Array<{ labels: { result: IngestResult }; count: number; flushed: number }> = [];
  return {
    registry,
    httpRequests: new Counter({
      name: 'attune_http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
      collect() {
        http.flushCounts(this);
      },
    }),
    httpDuration: new Histogram({
      name: 'attune_http_request_duration_seconds',
      help: 'HTTP request latency by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: HTTP_DURATION_BUCKETS,
      registers: [registry],
      collect() {
        http.flushDurations(this);
      },
    }),
    recordHttp: (method, route, statusCode, seconds) => http.record(method, route, statusCode, seconds),
    eventsIngested: new Counter({
      name: 'attune_events_ingested_total',
      help: 'Events received, by result: accepted, duplicate, rejected',
      labelNames: ['result'],
      registers: [registry],
      collect() {
        for (const t of ingested) {
          if (t.count === t.flushed) continue;
          this.inc(t.labels, t.count - t.flushed);
          t.flushed = t.count;
        }
      },
    }),
    recordIngested(result, n) {
      let t = ingested.find((x) => x.labels.result === result);
      if (!t) ingested.push((t = { labels: { result }, count: 0, flushed: 0 }));
      t.count += n;
    },
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
    close: () => gcObserver?.disconnect(),
  };
}

const GC_METRIC = 'attune_nodejs_gc_duration_seconds';
const GC_KINDS: Record<number, string> = {
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * Replaces prom-client's garbage-collection histogram (same name, help, labels and buckets) with
 * one that counts every collection. Node hands an observer the collections since its last call
 * in one list, and prom-client 15 observes only the list's first entry: under load, when several
 * scavenges fall between two turns of the event loop, it counted a fraction of them and missed
 * the long pauses a tail comes from. Its own observer still runs, into a histogram no registry lists.
 */
function observeGcDurations(registry: Registry): PerformanceObserver {
  registry.removeSingleMetric(GC_METRIC);
  const histogram = new Histogram({
    name: GC_METRIC,
    help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    labelNames: ['kind'],
    buckets: [0.001, 0.01, 0.1, 1, 2, 5],
    registers: [registry],
  });
  // a few collections per second under load: observe's label hashing is no cost here
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // @types/node 20 leaves `detail` (a gc entry's { kind, flags }) out of PerformanceEntry
      const kind = GC_KINDS[(entry as { detail?: { kind?: number } }).detail?.kind ?? -1];
      if (kind !== undefined) histogram.observe({ kind }, entry.duration / 1000);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return observer;
}

/** Requests of one (method, route, status). */
interface StatusTally {
  readonly labels: { method: string; route: string; status: string };
  count: number;
  /** how much of `count` the Counter has been given */
  flushed: number;
}

/** Requests of one (method, route): the duration histogram's figures and the count per status. */
interface RouteTally {
  readonly labels: { method: string; route: string };
  /** observations per bucket, not cumulative: index k is (bounds[k-1], bounds[k]] */
  readonly buckets: number[];
  sum: number;
  count: number;
  readonly byStatus: Map<number, StatusTally>;
  /** the Histogram's record for these labels and its key, once made */
  entry: PromHistogramEntry | undefined;
  entryKey: string;
}

/**
 * prom-client 15's record of one label set of a Histogram (lib/histogram.js, createBaseValues):
 * bucket counts by upper bound (not cumulative; past the last bound only `count` grows).
 * prom-client has no public call that adds counted observations, and observing them one by one
 * at scrape time would hold the event loop for every request since the last scrape; the
 * version is pinned and metrics.test.ts checks the output against prom-client's own observe.
 */
interface PromHistogramEntry {
  labels: object;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

/**
 * The HTTP request counts and durations, tallied per request in plain fields and handed to
 * prom-client when it collects (each scrape). prom-client's inc and observe hash the label
 * object into a string key on every call (and its `labels()` children do the same), a few µs
 * per request on the serving thread. The /metrics text is the same as per-request observes
 * gave: label sets in the order first seen, sums added in request order.
 */
class HttpTallies {
  private readonly byMethod = new Map<string, Map<string, RouteTally>>();
  /** in the order first seen: prom-client lists label sets in the order it first meets them */
  private readonly routes: RouteTally[] = [];
  private readonly statuses: StatusTally[] = [];

  constructor(private readonly bounds: readonly number[]) {}

  record(method: string, route: string, statusCode: number, seconds: number): void {
    let routes = this.byMethod.get(method);
    if (!routes) this.byMethod.set(method, (routes = new Map()));
    let tally = routes.get(route);
    if (!tally) {
      tally = { labels: { method, route }, buckets: new Array<number>(this.bounds.length).fill(0), sum: 0, count: 0, byStatus: new Map(), entry: undefined, entryKey: '' };
      routes.set(route, tally);
      this.routes.push(tally);
    }
    let status = tally.byStatus.get(statusCode);
    if (!status) {
      status = { labels: { method, route, status: String(statusCode) }, count: 0, flushed: 0 };
      tally.byStatus.set(statusCode, status);
      this.statuses.push(status);
    }
    status.count++;
    // prom-client refuses a non-finite observation (it threw from the hook); the request still counts
    if (!Number.isFinite(seconds)) return;
    const bounds = this.bounds;
    let k = 0;
    while (k < bounds.length && seconds > (bounds[k] as number)) k++;
    if (k < bounds.length) (tally.buckets[k] as number)++;
    tally.sum += seconds;
    tally.count++;
  }

  flushCounts(counter: Counter<'method' | 'route' | 'status'>): void {
    for (const s of this.statuses) {
      if (s.count === s.flushed) continue;
      counter.inc(s.labels, s.count - s.flushed);
      s.flushed = s.count;
    }
  }

  /**
   * Writes every route's totals into the Histogram's records, made on the first flush (or again
   * if the Histogram was reset: nothing in the server resets metrics, and the totals written are
   * then still those since start).
   */
  flushDurations(histogram: Histogram<'method' | 'route'>): void {
    // `unknown` first: hashMap is not in prom-client's type declarations (see PromHistogramEntry)
    const entries = (histogram as unknown as { hashMap: Record<string, PromHistogramEntry> }).hashMap;
    for (const t of this.routes) {
      if (t.count === 0) continue;
      if (!t.entry || entries[t.entryKey] !== t.entry) {
        histogram.zero(t.labels);
        const key = Object.keys(entries).find((k) => entries[k]?.labels === t.labels);
        if (key === undefined) throw new Error(`prom-client kept no record for ${JSON.stringify(t.labels)}: its Histogram internals changed`);
        t.entryKey = key;
        t.entry = entries[key] as PromHistogramEntry;
      }
      const entry = t.entry;
      for (let k = 0; k < this.bounds.length; k++) entry.bucketValues[this.bounds[k] as number] = t.buckets[k] as number;
      entry.sum = t.sum;
      entry.count = t.count;
    }
  }
}
