import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../appContext.ts';
import { ApiError } from '../errors.ts';
import type { ListOptions } from '../services/recommendations.ts';
import type { ServingServices } from '../services/serving/servingServices.ts';
import { checkId } from '../validation/ids.ts';
import { KNOB_QUERY, knobQuerySchema, knobsFromBody, knobsFromQuery, paramFromQuery, paramsFromBody } from './knobParams.ts';
import { recommendationListSchema } from './openapiSchemas.ts';
import { idParam, validated } from './params.ts';
import { listRouteOptions } from './routeOptions.ts';

export const MAX_N = 200;
const CONTEXT_FIELDS = ['device', 'country', 'locale', 'timezone'] as const;
const LIST_QUERY = ['n', 'exclude', 'explain', 'scenario', ...CONTEXT_FIELDS, ...KNOB_QUERY] as const;

const responseSchema = { 200: recommendationListSchema };
const listQuerySchema = {
  type: 'object',
  properties: {
    n: { type: 'integer', minimum: 1, maximum: MAX_N, default: 10 },
    exclude: { type: 'string', description: 'comma-separated item ids never to return' },
    explain: { type: 'boolean', description: 'add per-item score breakdowns' },
    scenario: { type: 'string' },
    device: { type: 'string' },
    country: { type: 'string' },
    locale: { type: 'string' },
    timezone: { type: 'string' },
    ...knobQuerySchema,
  },
};

/**
 * Recommendation endpoints. Query parameters are checked by hand (not Ajv) so that a bad one
 * answers 400 with its path in the shared error shape, and the hot path stays allocation-light.
 */
export async function recommendationRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const serving = (): ServingServices => {
    if (!ctx.serving) throw new ApiError(503, 'not_ready', 'the recommendation service is not running');
    return ctx.serving;
  };
  const tags = ['recommendations'];

  app.get(
    '/v1/users/:userId/recommendations',
    { ...listRouteOptions, schema: { tags, summary: "A user's recommendations (cold-start results for unknown users)", querystring: listQuerySchema, response: responseSchema } },
    async (req) => {
      const userId = idParam(req.params, 'userId');
      return pipelineErrors(serving().recommender.forUser(userId, listOptions(req.query, LIST_QUERY)));
    },
  );

  app.get(
    '/v1/items/:itemId/similar',
    {
      ...listRouteOptions,
      schema: { tags, summary: 'Items similar to an item (excluding what userId already consumed)', querystring: { ...listQuerySchema, properties: { ...listQuerySchema.properties, userId: { type: 'string' } } }, response: responseSchema },
    },
    async (req) => {
      const itemId = idParam(req.params, 'itemId');
      const q = (req.query ?? {}) as Record<string, unknown>;
      const opts: ListOptions & { userId?: string } = listOptions(q, [...LIST_QUERY, 'userId']);
      if (q.userId !== undefined) opts.userId = validated(() => checkId(q.userId, '$.userId'));
      const result = await pipelineErrors(serving().recommender.similar(itemId, opts));
      if (!result) throw new ApiError(404, 'not_found', `item '${itemId}' does not exist`);
      return result;
    },
  );

  app.get('/v1/popular', { ...listRouteOptions, schema: { tags, summary: 'Most popular items', querystring: listQuerySchema, response: responseSchema } }, async (req) =>
    pipelineErrors(serving().recommender.popular(listOptions(req.query, LIST_QUERY))),
  );

  app.get('/v1/trending', { ...listRouteOptions, schema: { tags, summary: 'Items with the most recent activity', querystring: listQuerySchema, response: responseSchema } }, async (req) =>
    pipelineErrors(serving().recommender.trending(listOptions(req.query, LIST_QUERY))),
  );

  app.post(
    '/v1/recommendations/session',
    {
      ...listRouteOptions,
      schema: {
        tags,
        summary: 'Recommendations for an anonymous session from the items it has seen',
        body: {
          type: 'object',
          properties: {
            itemIds: { type: 'array', items: { type: 'string' } },
            sessionId: { type: 'string' },
            n: { type: 'integer', minimum: 1, maximum: MAX_N },
            exclude: { type: 'array', items: { type: 'string' } },
            explain: { type: 'boolean' },
            scenario: { type: 'string' },
            context: { type: 'object' },
            knobs: { type: 'object', description: 'per-request knob overrides (see the scenario knobs)' },
            params: { type: 'object', description: "values of the scenario rules' $name parameters" },
          },
          required: ['itemIds'],
        },
        response: responseSchema,
      },
    },
    async (req) => {
      const body = sessionBody(req.body);
      return pipelineErrors(serving().recommender.session(body.itemIds, body.opts));
    },
  );
}

/** An unknown scenario name is the caller's mistake: 400 naming the parameter. */
async function pipelineErrors<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if ((err as { code?: unknown })?.code === 'unknown_scenario') throw new ApiError(400, 'unknown_scenario', (err as Error).message, '$.scenario');
    throw err;
  }
}

/** Parses and checks the shared list query; unknown parameters are errors so typos surface. */
export function listOptions(query: unknown, allowed: readonly string[]): ListOptions {
  const q = (query ?? {}) as Record<string, unknown>;
  const opts: ListOptions = { n: 10 };
  const context: Record<string, string> = {};
  const knobs: Record<string, string> = {};
  const params: Record<string, unknown> = {};
  for (const key in q) {
    const v = q[key];
    if (key.startsWith('param.') && typeof v === 'string') {
      params[key.slice(6)] = paramFromQuery(key, v);
      continue;
    }
    if (!allowed.includes(key)) throw new ApiError(400, 'unknown_field', `query parameter ${key} is not known (${allowed.join(', ')})`, `$.${key}`);
    if (typeof v !== 'string') throw new ApiError(400, 'invalid_field', `$.${key}: give the parameter once`, `$.${key}`);
    switch (key) {
      case 'n':
        opts.n = integerIn(v, 1, MAX_N, '$.n');
        break;
      case 'exclude':
        opts.exclude = v === '' ? [] : v.split(',').map((id, k) => validated(() => checkId(id, `$.exclude[${k}]`)));
        break;
      case 'explain':
        if (v !== 'true' && v !== 'false') throw new ApiError(400, 'invalid_field', '$.explain: must be true or false', '$.explain');
        opts.explain = v === 'true';
        break;
      case 'scenario':
        opts.scenario = validated(() => checkId(v, '$.scenario'));
        break;
      case 'userId':
        break;
      default:
        if (KNOB_QUERY.includes(key)) {
          knobs[key] = v;
          break;
        }
        if (v.length > 100) throw new ApiError(400, 'invalid_field', `$.${key}: at most 100 characters`, `$.${key}`);
        context[key] = v;
    }
  }
  if (Object.keys(context).length > 0) opts.context = context;
  const k = knobsFromQuery(knobs);
  if (k) opts.knobs = k;
  if (Object.keys(params).length > 0) opts.params = params;
  return opts;
}

function integerIn(v: string, min: number, max: number, path: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new ApiError(400, 'invalid_field', `${path}: must be an integer from ${min} to ${max}`, path);
  return n;
}

function sessionBody(body: unknown): { itemIds: string[]; opts: ListOptions & { sessionId?: string } } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'invalid_request', '$: the body must be a JSON object', '$');
  const b = body as Record<string, unknown>;
  const known = ['itemIds', 'sessionId', 'n', 'exclude', 'explain', 'scenario', 'context', 'knobs', 'params'];
  for (const key of Object.keys(b)) if (!known.includes(key)) throw new ApiError(400, 'unknown_field', `$.${key} is not known (${known.join(', ')})`, `$.${key}`);
  if (!Array.isArray(b.itemIds)) throw new ApiError(400, 'invalid_field', '$.itemIds: must be an array of item ids', '$.itemIds');
  if (b.itemIds.length > 1000) throw new ApiError(400, 'invalid_field', '$.itemIds: at most 1000 items', '$.itemIds');
  const itemIds = b.itemIds.map((id, k) => validated(() => checkId(id, `$.itemIds[${k}]`)));
  const opts: ListOptions & { sessionId?: string } = { n: 10 };
  if (b.n !== undefined) {
    if (typeof b.n !== 'number' || !Number.isInteger(b.n) || b.n < 1 || b.n > MAX_N) throw new ApiError(400, 'invalid_field', `$.n: must be an integer from 1 to ${MAX_N}`, '$.n');
    opts.n = b.n;
  }
  if (b.exclude !== undefined) {
    if (!Array.isArray(b.exclude)) throw new ApiError(400, 'invalid_field', '$.exclude: must be an array of item ids', '$.exclude');
    opts.exclude = b.exclude.map((id, k) => validated(() => checkId(id, `$.exclude[${k}]`)));
  }
  if (b.explain !== undefined) {
    if (typeof b.explain !== 'boolean') throw new ApiError(400, 'invalid_field', '$.explain: must be a boolean', '$.explain');
    opts.explain = b.explain;
  }
  if (b.sessionId !== undefined) opts.sessionId = validated(() => checkId(b.sessionId, '$.sessionId'));
  if (b.scenario !== undefined) opts.scenario = validated(() => checkId(b.scenario, '$.scenario'));
  if (b.context !== undefined) {
    if (typeof b.context !== 'object' || b.context === null || Array.isArray(b.context)) throw new ApiError(400, 'invalid_field', '$.context: must be an object', '$.context');
    opts.context = b.context as Record<string, unknown>;
  }
  if (b.knobs !== undefined) opts.knobs = knobsFromBody(b.knobs, '$.knobs');
  if (b.params !== undefined) opts.params = paramsFromBody(b.params, '$.params');
  return { itemIds, opts };
}
