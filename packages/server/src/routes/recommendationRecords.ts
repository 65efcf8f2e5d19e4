import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../appContext.ts';
import { ApiError } from '../errors.ts';
import { nextPage } from '../services/serving/paging.ts';
import { checkId } from '../validation/ids.ts';
import { errorSchema, idParams, recommendationListSchema } from './openapiSchemas.ts';
import { validated } from './params.ts';
import { recommendationRecordSchema } from './personalizationSchemas.ts';
import { MAX_N } from './recommendations.ts';
import { scenarioErrors, serving } from './rerank.ts';
import { docsOnlySchema, listRouteOptions } from './routeOptions.ts';

/** A served recommendation after the fact: what was shown, what came of it, and the next page. */
export async function recommendationRecordRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const tags = ['recommendations'];

  app.get(
    '/v1/recommendations/:recommendationId',
    {
      ...docsOnlySchema,
      schema: {
        tags,
        summary: 'The list shown for a recommendationId and the events attributed to it (events sent with that recommendationId)',
        params: idParams('recommendationId'),
        response: { 200: recommendationRecordSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const id = recommendationId(req.params);
      const s = serving(ctx);
      const record = await s.attribution.get(id);
      if (!record) throw new ApiError(404, 'not_found', `recommendation '${id}' does not exist`);
      return record;
    },
  );

  app.get(
    '/v1/recommendations/:recommendationId/next',
    {
      ...listRouteOptions,
      schema: {
        tags,
        summary: 'The next page of a recommendation: the same request again, nothing already shown in the chain repeated',
        description:
          'Answers a new list with its own recommendationId (page on with that one). `n` defaults to the previous page size. The request is read back from the recommendation log, so any node answers, also after a restart. 404 when the id is unknown, older than the log keeps (30 days), or its list cannot be paged (lists logged before paging was durable).',
        params: idParams('recommendationId'),
        querystring: { type: 'object', properties: { n: { type: 'integer', minimum: 1, maximum: MAX_N } } },
        response: { 200: recommendationListSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const id = recommendationId(req.params);
      const q = (req.query ?? {}) as Record<string, unknown>;
      for (const key of Object.keys(q)) if (key !== 'n') throw new ApiError(400, 'unknown_field', `query parameter ${key} is not known (n)`, `$.${key}`);
      const s = serving(ctx);
      let n: number | undefined;
      if (q.n !== undefined) {
        const v = typeof q.n === 'string' ? Number(q.n) : NaN;
        if (typeof q.n !== 'string' || q.n.trim() === '' || !Number.isInteger(v) || v < 1 || v > MAX_N) throw new ApiError(400, 'invalid_field', `$.n: must be an integer from 1 to ${MAX_N}`, '$.n');
        n = v;
      }
      const page = await scenarioErrors(nextPage(s.recommender, s.impressions, id, n));
      if (!page) throw new ApiError(404, 'not_found', `recommendation '${id}' is unknown, past the log's retention or cannot be paged: request a fresh list`);
      return page;
    },
  );
}

function recommendationId(params: unknown): string {
  return validated(() => checkId((params as Record<string, unknown>).recommendationId, '$.recommendationId'));
}
