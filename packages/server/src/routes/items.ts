import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../appContext.ts';
import { ApiError, notFound } from '../errors.ts';
import { errorResponses, errorSchema, idParams, itemBody, itemRecord, pageQuerySchema } from './openapiSchemas.ts';
import { idParam, pageQuery, validatedAsync } from './params.ts';
import { docsOnlySchema } from './routeOptions.ts';

const MAX_BATCH_ITEMS = 10_000;

export async function itemRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const tags = ['catalogue'];

  app.put(
    '/v1/items/:itemId',
    {
      ...docsOnlySchema,
      schema: { tags, summary: 'Create or replace an item', params: idParams('itemId'), body: itemBody, response: { 200: itemRecord, ...errorResponses } },
    },
    async (req) => {
      const id = idParam(req.params, 'itemId');
      return validatedAsync(() => ctx.catalogue.putItem(id, req.body));
    },
  );

  app.post(
    '/v1/items/batch',
    {
      ...docsOnlySchema,
      schema: {
        tags,
        summary: `Create or replace up to ${MAX_BATCH_ITEMS} items, all or nothing`,
        body: {
          type: 'object',
          required: ['items'],
          additionalProperties: false,
          properties: { items: { type: 'array', maxItems: MAX_BATCH_ITEMS, items: { ...itemBody, required: ['id'], properties: { id: { type: 'string' }, ...itemBody.properties } } } },
        },
        response: { 200: { type: 'object', properties: { written: { type: 'integer' } } }, ...errorResponses },
      },
    },
    async (req) => {
      const body = req.body as Record<string, unknown> | null;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'wrong_type', '$: must be an object {items: [...]}', '$');
      for (const key of Object.keys(body)) if (key !== 'items') throw new ApiError(400, 'unknown_field', `$.${key}: unknown field (allowed: items)`, `$.${key}`);
      if (!Array.isArray(body.items)) throw new ApiError(400, body.items === undefined ? 'missing_field' : 'wrong_type', '$.items: must be an array of items', '$.items');
      if (body.items.length > MAX_BATCH_ITEMS) throw new ApiError(400, 'too_many_items', `$.items: at most ${MAX_BATCH_ITEMS} items per request`, '$.items');
      const items = body.items as unknown[];
      const written = await validatedAsync(() => ctx.catalogue.putItemsAtomic(items, '$.items'));
      return { written };
    },
  );

  app.get(
    '/v1/items/:itemId',
    { schema: { tags, summary: 'One item', params: idParams('itemId'), response: { 404: errorSchema } }, ...docsOnlySchema },
    async (req) => {
      const id = idParam(req.params, 'itemId');
      const item = await ctx.catalogue.getItem(id);
      if (!item) throw notFound('item', id);
      return item;
    },
  );

  app.get(
    '/v1/items',
    { ...docsOnlySchema, schema: { tags, summary: 'Items in id order, a page at a time', querystring: pageQuerySchema } },
    async (req) => ctx.catalogue.listItems(pageQuery(req.query)),
  );

  app.delete(
    '/v1/items/:itemId',
    { ...docsOnlySchema, schema: { tags, summary: 'Delete an item', params: idParams('itemId'), response: { 204: { type: 'null', description: 'deleted' }, 404: errorSchema } } },
    async (req, reply) => {
      const id = idParam(req.params, 'itemId');
      if (!(await ctx.catalogue.deleteItem(id))) throw notFound('item', id);
      return reply.status(204).send();
    },
  );
}
