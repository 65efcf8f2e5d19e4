import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../appContext.ts';
import { eventRoutes } from './events.ts';
import { healthRoutes } from './health.ts';
import { itemRoutes } from './items.ts';
import { itemSchemaRoutes } from './itemSchema.ts';
import { userRoutes } from './users.ts';
import { recommendationRoutes } from './recommendations.ts';
import { modelRoutes } from './models.ts';
import { scenarioRoutes } from './scenarios.ts';
import { rerankRoutes } from './rerank.ts';
import { recommendationRecordRoutes } from './recommendationRecords.ts';
import { preferenceRoutes } from './preferences.ts';

/** A route module: registers its routes (full paths, /v1/…) on the app. */
export type RoutePlugin = (app: FastifyInstance, ctx: AppContext) => Promise<void> | void;

/**
 * Every route module of the API, registered in this order by buildApp. Add yours here.
 * Routes get the shared error handler, metrics and OpenAPI documentation automatically.
 */
export const routePlugins: RoutePlugin[] = [healthRoutes, itemSchemaRoutes, itemRoutes, userRoutes, eventRoutes, recommendationRoutes, modelRoutes, scenarioRoutes, rerankRoutes, recommendationRecordRoutes, preferenceRoutes];
