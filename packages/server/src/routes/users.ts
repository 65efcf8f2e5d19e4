import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../appContext.ts';
import { ApiError, notFound } from '../errors.ts';
import { checkId } from '../validation/ids.ts';
import { rejectUnknownKeys, requireObject } from '../validation/issue.ts';
import { errorResponses, errorSchema, idParams, pageQuerySchema, userBody } from './openapiSchemas.ts';
import { idParam, pageQuery, validated, validatedAsync } from './params.ts';
import { docsOnlySchema } from './routeOptions.ts';

export async function userRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const tags = ['users'];

  app.put(
    '/v1/users/:userId',
    { ...docsOnlySchema, schema: { tags, summary: 'Create or update a user (attributes, stated preferences)', params: idParams('userId'), body: userBody, response: errorResponses } },
    async (req) => {
      const id = idParam(req.params, 'userId');
      return validatedAsync(() => ctx.users.putUser(id, req.body));
    },
  );

  app.get(
    '/v1/users/:userId',
    { ...docsOnlySchema, schema: { tags, summary: 'A user: attributes, preferences and a summary of recent events', params: idParams('userId'), response: { 404: errorSchema } } },
    async (req) => {
      const id = idParam(req.params, 'userId');
      const user = await ctx.users.getUser(id);
      if (!user) throw notFound('user', id);
      return user;
    },
  );

  app.get('/v1/users', { ...docsOnlySchema, schema: { tags, summary: 'Users with a record, in id order, a page at a time', querystring: pageQuerySchema } }, async (req) =>
    ctx.users.listUsers(pageQuery(req.query)),
  );

  app.delete(
    '/v1/users/:userId',
    { ...docsOnlySchema, schema: { tags, summary: 'Erase a user and every one of their events', description: 'Also their recent online state and the lists shown to them (recommendation log and attribution): GET /v1/recommendations/{id} of such a list is then a 404.', params: idParams('userId'), response: { 204: { type: 'null', description: 'erased' }, 404: errorSchema } } },
    async (req, reply) => {
      const id = idParam(req.params, 'userId');
      if (!(await ctx.users.deleteUser(id))) throw notFound('user', id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/v1/users/:userId/merge',
    {
      ...docsOnlySchema,
      schema: {
        tags,
        summary: "Move another (e.g. anonymous) user's history into this user and delete the other",
        params: idParams('userId'),
        body: { type: 'object', required: ['fromUserId'], additionalProperties: false, properties: { fromUserId: { type: 'string' } } },
        response: { 200: { type: 'object', properties: { movedEvents: { type: 'integer' } } }, 404: errorSchema, ...errorResponses },
      },
    },
    async (req) => {
      const into = idParam(req.params, 'userId');
      const from = validated(() => {
        const body = requireObject(req.body, '$');
        rejectUnknownKeys(body, new Set(['fromUserId']), '$');
        if (body.fromUserId === undefined) throw new ApiError(400, 'missing_field', '$.fromUserId: is required', '$.fromUserId');
        return checkId(body.fromUserId, '$.fromUserId');
      });
      const result = await ctx.users.mergeUsers(from, into);
      if (!result) throw notFound('user', from);
      return result;
    },
  );
}
