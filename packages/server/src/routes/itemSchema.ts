import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../appContext.ts';
import { errorResponses, itemSchemaBody } from './openapiSchemas.ts';
import { validatedAsync } from './params.ts';
import { docsOnlySchema } from './routeOptions.ts';

export async function itemSchemaRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/v1/schema/items', { schema: { tags: ['catalogue'], summary: 'The item schema: property names and types' } }, async () =>
    ctx.catalogue.getSchema(),
  );

  app.put(
    '/v1/schema/items',
    {
      ...docsOnlySchema,
      schema: {
        tags: ['catalogue'],
        summary: 'Declare the item schema (replaces it); later item writes must match',
        body: itemSchemaBody,
        response: { 200: itemSchemaBody, ...errorResponses },
      },
    },
    async (req) => validatedAsync(() => ctx.catalogue.putSchema(req.body)),
  );
}
