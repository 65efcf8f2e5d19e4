import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../appContext.ts';
import { ApiError } from '../errors.ts';
import type { ListOptions } from '../services/recommendations.ts';
import type { ServingServices } from '../services/serving/servingServices.ts';
import { checkId } from '../validation/ids.ts';
import { knobsFromBody, paramsFromBody } from './knobParams.ts';
import { errorResponses, idParams, recommendationListSchema } from './openapiSchemas.ts';
import { idParam, validated } from './params.ts';
import { rerankBody } from './personalizationSchemas.ts';
import { listRouteOptions } from './routeOptions.ts';

export const MAX_RERANK = 1000;
const FIELDS = ['itemIds', 'n', 'scenario', 'explain', 'exclude', 'context', 'knobs', 'params'];

/** `POST /v1/users/{userId}/rerank`: the caller's list, personalized for the user. */
export async function rerankRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post(
    '/v1/users/:userId/rerank',
    {
      ...listRouteOptions,
      schema: {
        tags: ['recommendations'],
        summary: `Re-order up to ${MAX_RERANK} candidate item ids for the user (with reasons); ids not in the catalogue follow at the end in the given order`,
        description:
          'Runs the search-rerank scenario (or `scenario`) over the given ids instead of retrieving: the caller\'s order is a prior, blended with the model\'s scores for the user. ' +
          'Items the user hid, disliked or marked not-interested, unavailable items and items failing the scenario\'s filters are left out.',
        params: idParams('userId'),
        body: rerankBody,
        response: { 200: recommendationListSchema, ...errorResponses },
      },
    },
    async (req) => {
      const userId = idParam(req.params, 'userId');
      const { itemIds, opts } = rerankRequest(req.body);
      return scenarioErrors(serving(ctx).recommender.rerank(userId, itemIds, opts));
    },
  );
}

export function serving(ctx: AppContext): ServingServices {
  if (!ctx.serving) throw new ApiError(503, 'not_ready', 'the recommendation service is not running');
  return ctx.serving;
}

/** An unknown scenario name is the caller's mistake: 400 naming the parameter. */
export async function scenarioErrors<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if ((err as { code?: unknown })?.code === 'unknown_scenario') throw new ApiError(400, 'unknown_scenario', (err as Error).message, '$.scenario');
    throw err;
  }
}

function rerankRequest(body: unknown): { itemIds: string[]; opts: ListOptions } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'wrong_type', '$: the body must be a JSON object', '$');
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) if (!FIELDS.includes(key)) throw new ApiError(400, 'unknown_field', `$.${key} is not known (${FIELDS.join(', ')})`, `$.${key}`);
  if (b.itemIds === undefined) throw new ApiError(400, 'missing_field', '$.itemIds: is required', '$.itemIds');
  if (!Array.isArray(b.itemIds)) throw new ApiError(400, 'wrong_type', '$.itemIds: must be an array of item ids', '$.itemIds');
  if (b.itemIds.length > MAX_RERANK) throw new ApiError(400, 'too_many_items', `$.itemIds: at most ${MAX_RERANK} ids, got ${b.itemIds.length}: rerank the top of the list`, '$.itemIds');
  const itemIds = b.itemIds.map((id, k) => validated(() => checkId(id, `$.itemIds[${k}]`)));
  const opts: ListOptions = { n: Math.max(1, new Set(itemIds).size) };
  if (b.n !== undefined) {
    if (typeof b.n !== 'number' || !Number.isInteger(b.n) || b.n < 1 || b.n > MAX_RERANK) throw new ApiError(400, 'invalid_field', `$.n: must be an integer from 1 to ${MAX_RERANK}`, '$.n');
    opts.n = b.n;
  }
  if (b.exclude !== undefined) {
    if (!Array.isArray(b.exclude)) throw new ApiError(400, 'wrong_type', '$.exclude: must be an array of item ids', '$.exclude');
    opts.exclude = b.exclude.map((id, k) => validated(() => checkId(id, `$.exclude[${k}]`)));
  }
  if (b.explain !== undefined) {
    if (typeof b.explain !== 'boolean') throw new ApiError(400, 'wrong_type', '$.explain: must be a boolean', '$.explain');
    opts.explain = b.explain;
  }
  if (b.scenario !== undefined) opts.scenario = validated(() => checkId(b.scenario, '$.scenario'));
  if (b.context !== undefined) {
    if (typeof b.context !== 'object' || b.context === null || Array.isArray(b.context)) throw new ApiError(400, 'wrong_type', '$.context: must be an object', '$.context');
    if ('now' in b.context) throw new ApiError(400, 'invalid_field', '$.context.now: the server sets the request time', '$.context.now');
    opts.context = b.context as Record<string, unknown>;
  }
  if (b.knobs !== undefined) opts.knobs = knobsFromBody(b.knobs, '$.knobs');
  if (b.params !== undefined) opts.params = paramsFromBody(b.params, '$.params');
  return { itemIds, opts };
}
