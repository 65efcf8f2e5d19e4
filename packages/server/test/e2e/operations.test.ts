import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';

/** Health, readiness, metrics, the OpenAPI document and docs UI, and the rate limit. */
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
});

describe('operations endpoints', () => {
  it('answers /health and /ready', async () => {
    expect((await t.call('GET', '/health')).json).toEqual({ status: 'ok' });
    expect((await t.call('GET', '/ready')).json).toEqual({ status: 'ready' });
  });

  it('exposes Prometheus metrics per route and events ingested', async () => {
    await t.call('POST', '/v1/events', [{ type: 'view', userId: 'u', itemId: 'a' }, { type: 'view' }]);
    await t.call('GET', '/v1/items/missing');
    const res = await t.call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.text).toContain('attune_http_requests_total{method="POST",route="/v1/events",status="200"} 1');
    expect(res.text).toContain('attune_http_requests_total{method="GET",route="/v1/items/:itemId",status="404"} 1');
    expect(res.text).toContain('attune_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/v1/events"}');
    expect(res.text).toContain('attune_events_ingested_total{result="accepted"} 1');
    expect(res.text).toContain('attune_events_ingested_total{result="rejected"} 1');
    expect(res.text).toContain('attune_model_age_seconds');
  });

  it('serves an OpenAPI 3.1 document and the docs UI from the package (offline)', async () => {
    const doc = await t.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toBe('3.1.0');
    for (const path of ['/v1/events', '/v1/items/{itemId}', '/v1/items/batch', '/v1/items', '/v1/schema/items', '/v1/users/{userId}', '/v1/users/{userId}/merge', '/health', '/ready', '/metrics']) {
      expect(doc.json.paths, path).toHaveProperty([path]);
    }
    expect(doc.json.paths['/v1/events'].post.responses).toHaveProperty('400');
    const ui = await t.call('GET', '/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger-ui');
    const asset = await t.call('GET', '/docs/static/swagger-ui-bundle.js');
    expect(asset.status).toBe(200);
    expect(asset.text.length).toBeGreaterThan(100_000);
  });
});

describe('rate limit', () => {
  it('answers 429 in the error shape once a client exceeds the configured rate, and never limits /health', async () => {
    const limited = await startTestServer({ rateLimit: { enabled: true, max: 3, windowMs: 60_000 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await limited.call('GET', '/v1/items')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const res = await limited.call('POST', '/v1/events', { type: 'view', userId: 'u' });
      expect(res.status).toBe(429);
      expect(res.json.error.code).toBe('rate_limited');
      expect(res.headers.get('retry-after')).toBeTruthy();
      expect(await limited.server.context.store.countEvents()).toBe(0);
      expect((await limited.call('GET', '/health')).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});
