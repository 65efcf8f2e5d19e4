import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../appContext.ts';
import { errorResponses, eventSchema, rejectedSchema } from './openapiSchemas.ts';
import { docsOnlySchema } from './routeOptions.ts';

export async function eventRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const max = ctx.config.events.maxBatch;
  app.post(
    '/v1/events',
    {
      ...docsOnlySchema,
      schema: {
        tags: ['events'],
        summary: `Record one event or an array of up to ${max}; accepted events are committed before the answer`,
        description:
          'Invalid events in an array are reported by index in `rejected` while the others are stored. ' +
          'A single invalid event, or an array where every event is invalid, is a 400. An event whose eventId is already stored counts as a duplicate and is not stored again.',
        body: { oneOf: [eventSchema, { type: 'array', maxItems: max, items: eventSchema }] },
        response: {
          200: {
            type: 'object',
            properties: { accepted: { type: 'integer' }, duplicates: { type: 'integer' }, rejected: rejectedSchema },
          },
          ...errorResponses,
        },
      },
    },
    async (req) => ctx.ingest.ingestBody(req.body),
  );
}
