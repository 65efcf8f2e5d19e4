import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../appContext.ts';
import { parsePreferences } from '../validation/userValidator.ts';
import { errorResponses, errorSchema, idParams, preferencesBody } from './openapiSchemas.ts';
import { idParam, validated } from './params.ts';
import { docsOnlySchema } from './routeOptions.ts';

/**
 * A user's stated preferences on their own: what a "manage my recommendations" page reads and
 * writes. PUT replaces them all (send the lists you keep); the next recommendation honours them.
 * Negative feedback events (not-interested, dislike, hide-category) add to the same lists.
 */
export async function preferenceRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const tags = ['users'];

  app.get(
    '/v1/users/:userId/preferences',
    { ...docsOnlySchema, schema: { tags, summary: "The user's stated preferences (empty for a user without a record)", params: idParams('userId'), response: { 200: preferencesBody, 400: errorSchema } } },
    async (req) => {
      const id = idParam(req.params, 'userId');
      return (await ctx.store.getUser(id))?.preferences ?? {};
    },
  );

  app.put(
    '/v1/users/:userId/preferences',
    {
      ...docsOnlySchema,
      schema: {
        tags,
        summary: 'Replace the user\'s stated preferences (liked categories and items, disliked items, hidden categories); applies to the next recommendation',
        params: idParams('userId'),
        body: preferencesBody,
        response: { 200: preferencesBody, ...errorResponses },
      },
    },
    async (req) => {
      const id = idParam(req.params, 'userId');
      const preferences = validated(() => parsePreferences(req.body, '$'));
      const record = await ctx.users.write({ id, preferences });
      return record.preferences;
    },
  );
}
