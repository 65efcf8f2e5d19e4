import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../appContext.ts';
import { ApiError } from '../errors.ts';
import type { ServingServices } from '../services/serving/servingServices.ts';
import { idParam } from './params.ts';
import { docsOnlySchema } from './routeOptions.ts';

/** Model versions and training runs. */
export async function modelRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const serving = (): ServingServices => {
    if (!ctx.serving) throw new ApiError(503, 'not_ready', 'the trainer is not running');
    return ctx.serving;
  };
  const tags = ['models'];

  app.get('/v1/models', { ...docsOnlySchema, schema: { tags, summary: 'Model versions with hold-out metrics and status, newest first; recent training jobs' } }, async (req) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(q)) if (key !== 'limit') throw new ApiError(400, 'unknown_field', `query parameter ${key} is not known (limit)`, `$.${key}`);
    let limit = 50;
    if (q.limit !== undefined) {
      limit = Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ApiError(400, 'invalid_field', '$.limit: must be an integer from 1 to 1000', '$.limit');
    }
    const s = serving();
    const versions = (await ctx.store.listModelVersions({ limit })).sort((a, b) => b.version - a.version);
    const sm = s.registry.serving;
    return { serving: sm ? { name: sm.name, version: sm.version } : null, versions, jobs: s.trainer.listJobs().slice(0, 20) };
  });

  app.post(
    '/v1/models/train',
    { ...docsOnlySchema, schema: { tags, summary: 'Starts a training run; returns its job id at once (202)' } },
    async (_req, reply) => {
      // an API node must not spend its CPU on a fit: the worker role trains for the deployment
      if (ctx.config.role === 'api') throw new ApiError(409, 'wrong_role', 'this node runs the api role and never trains: POST /v1/models/train to a worker node');
      const job = serving().trainer.trigger('api');
      return reply.status(202).send({ jobId: job.id, status: job.status, href: `/v1/models/train/${job.id}` });
    },
  );

  app.get('/v1/models/train/:jobId', { ...docsOnlySchema, schema: { tags, summary: 'Status of a training run' } }, async (req) => {
    const id = idParam(req.params, 'jobId');
    const job = serving().trainer.job(id);
    if (!job) throw new ApiError(404, 'not_found', `training job '${id}' does not exist (jobs are kept in memory, newest 100)`);
    return job;
  });
}
