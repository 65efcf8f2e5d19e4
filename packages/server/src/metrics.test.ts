import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from './metrics.ts';

const BOUNDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface Request {
  method: string;
  route: string;
  status: number;
  seconds: number;
  /** scrape /metrics right after this request */
  scrape: boolean;
}

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'DELETE'),
  route: fc.constantFrom('/v1/users/:userId/recommendations', '/v1/events', '/metrics', 'unmatched'),
  status: fc.constantFrom(200, 201, 400, 404, 429, 500),
  // the bounds themselves (prom-client counts a value equal to a bound in that bucket), past
  // the last bound, zero and anything between
  seconds: fc.oneof(fc.constantFrom(0, ...BOUNDS, 3, 1e-9), fc.double({ min: 0, max: 4, noNaN: true })),
  scrape: fc.boolean(),
});

/** What the onResponse hook did before recordHttp: prom-client's own inc and observe per request. */
function observeDirectly(m: Metrics, r: Request): void {
  m.httpRequests.inc({ method: r.method, route: r.route, status: String(r.status) });
  m.httpDuration.observe({ method: r.method, route: r.route }, r.seconds);
}

describe('metrics: recordHttp', () => {
  it('gives the same /metrics text and JSON as prom-client observing every request, scraped at any points', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(request, { maxLength: 60 }), async (requests) => {
        const direct = createMetrics({ defaultMetrics: false });
        const tallied = createMetrics({ defaultMetrics: false });
        for (const r of requests) {
          observeDirectly(direct, r);
          tallied.recordHttp(r.method, r.route, r.status, r.seconds);
          if (r.scrape) expect(await tallied.registry.metrics()).toBe(await direct.registry.metrics());
        }
        expect(await tallied.registry.metrics()).toBe(await direct.registry.metrics());
        expect(await tallied.registry.getMetricsAsJSON()).toEqual(await direct.registry.getMetricsAsJSON());
      }),
    );
  });

  it('counts each request once however often it is scraped, with the duration in its bucket', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.recordHttp('GET', '/health', 200, 0.003);
    m.recordHttp('GET', '/health', 200, 0.0005);
    m.recordHttp('GET', '/health', 503, 7);
    await m.registry.metrics();
    const text = await m.registry.metrics();
    expect(text).toContain('attune_http_requests_total{method="GET",route="/health",status="200"} 2');
    expect(text).toContain('attune_http_requests_total{method="GET",route="/health",status="503"} 1');
    expect(text).toContain('attune_http_request_duration_seconds_bucket{le="0.0005",method="GET",route="/health"} 1');
    expect(text).toContain('attune_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/health"} 2');
    expect(text).toContain('attune_http_request_duration_seconds_bucket{le="2.5",method="GET",route="/health"} 2');
    expect(text).toContain('attune_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/health"} 3');
    expect(text).toContain('attune_http_request_duration_seconds_count{method="GET",route="/health"} 3');
  });

  it('counts a request whose duration is not a number without observing it', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.recordHttp('GET', '/x', 200, Number.NaN);
    const text = await m.registry.metrics();
    expect(text).toContain('attune_http_requests_total{method="GET",route="/x",status="200"} 1');
    expect(text).not.toContain('attune_http_request_duration_seconds_count{method="GET",route="/x"}');
  });
});

describe('metrics: recordIngested', () => {
  it('gives the same /metrics text as prom-client incrementing per call, scraped at any points', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ result: fc.constantFrom('accepted' as const, 'duplicate' as const, 'rejected' as const), n: fc.integer({ min: 1, max: 1000 }), scrape: fc.boolean() }), { maxLength: 40 }),
        async (calls) => {
          const direct = createMetrics({ defaultMetrics: false });
          const tallied = createMetrics({ defaultMetrics: false });
          for (const c of calls) {
            direct.eventsIngested.inc({ result: c.result }, c.n);
            tallied.recordIngested(c.result, c.n);
            if (c.scrape) expect(await tallied.registry.metrics()).toBe(await direct.registry.metrics());
          }
          expect(await tallied.registry.metrics()).toBe(await direct.registry.metrics());
        },
      ),
    );
  });
});

describe('metrics: garbage-collection durations', () => {
  it('counts every collection, also several that Node hands over in one list', async () => {
    const metrics = createMetrics();
    const seen = new Map<string, number>();
    const kinds: Record<number, string> = {
      [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
      [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
      [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
      [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
    };
    const witness = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = kinds[(e as { detail?: { kind?: number } }).detail?.kind ?? -1] as string;
        seen.set(kind, (seen.get(kind) ?? 0) + 1);
      }
    });
    witness.observe({ entryTypes: ['gc'] });
    try {
      // one synchronous stretch of allocation: its scavenges reach the observers as one list
      let keep: object[] = [];
      for (let i = 0; i < 3_000_000; i++) {
        keep.push({ i });
        if (keep.length > 200_000) keep = [];
      }
      await new Promise((r) => setTimeout(r, 50));
      const text = await metrics.registry.getSingleMetricAsString('attune_nodejs_gc_duration_seconds');
      const counted = new Map<string, number>();
      for (const m of text.matchAll(/^attune_nodejs_gc_duration_seconds_count\{kind="(\w+)"\} (\d+)$/gm)) counted.set(m[1] as string, Number(m[2]));
      expect(seen.get('minor') ?? 0).toBeGreaterThan(1);
      expect(Object.fromEntries(counted)).toEqual(Object.fromEntries(seen));
    } finally {
      witness.disconnect();
      metrics.close();
    }
  });
});
