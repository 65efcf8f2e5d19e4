import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../appContext.ts';
import { ApiError } from '../errors.ts';
import { builtinScenario } from '../services/scenarios/scenarioDefinition.ts';
import { scenariosFor, type ScenarioView } from '../services/scenarios/scenarioService.ts';
import { errorResponses, errorSchema, idParams } from './openapiSchemas.ts';
import { scenarioBody, scenarioViewSchema } from './personalizationSchemas.ts';
import { docsOnlySchema } from './routeOptions.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Scenarios: list built-in and custom ones, save (validated, persisted), read, delete. */
export async function scenarioRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // the same instance the recommendation service reads (one per Store)
  const scenarios = scenariosFor(ctx.store);
  const tags = ['scenarios'];

  app.get(
    '/v1/scenarios',
    { ...docsOnlySchema, schema: { tags, summary: 'Built-in and custom scenarios (a custom one named like a built-in replaces it)', response: { 200: { type: 'object', properties: { scenarios: { type: 'array', items: scenarioViewSchema } } } } } },
    async (req) => {
      rejectQuery(req.query);
      return { scenarios: await scenarios.list() };
    },
  );

  app.get(
    '/v1/scenarios/:name',
    { ...docsOnlySchema, schema: { tags, summary: 'One scenario, with every default filled in', params: idParams('name'), response: { 200: scenarioViewSchema, 404: errorSchema } } },
    async (req) => {
      const name = scenarioName(req.params);
      const view = await scenarios.get(name);
      if (!view) throw new ApiError(404, 'not_found', `scenario '${name}' does not exist`);
      return view;
    },
  );

  app.put(
    '/v1/scenarios/:name',
    {
      ...docsOnlySchema,
      schema: {
        tags,
        summary: 'Create or replace a custom scenario (validated: a bad field or rule is a 400 with its path and position)',
        params: idParams('name'),
        body: scenarioBody,
        response: { 200: scenarioViewSchema, 201: scenarioViewSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const name = scenarioName(req.params);
      const { view, created } = await scenarios.put(name, req.body);
      return reply.status(created ? 201 : 200).send(view satisfies ScenarioView);
    },
  );

  app.delete(
    '/v1/scenarios/:name',
    { ...docsOnlySchema, schema: { tags, summary: 'Delete a custom scenario (a built-in it replaced comes back)', params: idParams('name'), response: { 204: { type: 'null', description: 'deleted' }, 400: errorSchema, 404: errorSchema } } },
    async (req, reply) => {
      const name = scenarioName(req.params);
      if (await scenarios.delete(name)) return reply.status(204).send();
      if (builtinScenario(name)) throw new ApiError(400, 'builtin_scenario', `scenario '${name}' is built in and cannot be deleted; PUT one of that name to replace it`, '$.name');
      throw new ApiError(404, 'not_found', `scenario '${name}' does not exist`);
    },
  );
}

function scenarioName(params: unknown): string {
  const name = (params as Record<string, unknown>).name;
  if (typeof name !== 'string' || !NAME.test(name)) throw new ApiError(400, 'invalid_field', '$.name: 1–64 letters, digits, "-" or "_", starting with a letter or digit', '$.name');
  return name;
}

function rejectQuery(query: unknown): void {
  for (const key of Object.keys((query ?? {}) as object)) throw new ApiError(400, 'unknown_field', `query parameter ${key} is not known`, `$.${key}`);
}
