import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../appContext.ts';
import { ApiError } from '../errors.ts';

/** Liveness, readiness and Prometheus metrics: outside /v1, never rate limited. */
export async function healthRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const noLimit = { rateLimit: false };
  app.get('/health', { config: noLimit, schema: { tags: ['operations'], summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));

  app.get('/ready', { config: noLimit, schema: { tags: ['operations'], summary: 'Readiness: the store is open' } }, async (_req, reply) => {
    try {
      const open = (ctx.store as { isOpen?: () => boolean }).isOpen?.() ?? true;
      if (!open) throw new Error('store closed');
      await ctx.store.getItemSchema();
      return { status: 'ready' };
    } catch {
      return reply.status(503).send(new ApiError(503, 'not_ready', 'the store is not open').body(ctx.config.docsBaseUrl));
    }
  });

  app.get('/metrics', { config: noLimit, schema: { tags: ['operations'], summary: 'Prometheus metrics (text format)' } }, async (_req, reply) => {
    const body = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(body);
  });
}
