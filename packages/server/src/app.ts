import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyRateLimit from '@fastify/rate-limit';
import type { AppContext, AppDeps } from './appContext.ts';
import { clientErrorHandler, errorHandler, invalidJsonBody, notFoundHandler } from './errors.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { routePlugins } from './routes/index.ts';
import { createCoreServices } from './services/coreServices.ts';

export type { AppContext, AppDeps, AppExtensions } from './appContext.ts';

export const API_VERSION = '0.1.0';

/**
 * Builds the Fastify app: error shape, metrics, OpenAPI document and docs UI, rate limit, then
 * every route module of routes/index.ts. Does not listen (tests use inject or listen on port 0).
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const metrics = deps.metrics ?? createMetrics();
  const { core, routes, ...rest } = deps;
  const ctx: AppContext = {
    ...rest,
    logger,
    metrics,
    ...(core ?? createCoreServices({ config, store: deps.store, bus: deps.bus, metrics })),
  };

  const onError = errorHandler(config.docsBaseUrl);
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs,
    // Node checks the timeout on a timer (30 s by default): a quarter of it keeps the overshoot
    // small; the headers' own limit may not exceed the whole request's
    http: { connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(config.requestTimeoutMs / 4))), headersTimeout: Math.min(60_000, config.requestTimeoutMs) },
    // one log line per request is too much at 20k req/s; metrics count requests instead
    logController: new LogController({ disableRequestLogging: true }),
    // reject unknown fields rather than silently dropping them, for routes that use Ajv
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    // a request that reaches a closing server is served (Fastify adds Connection: close): its
    // events are committed before the server stops, where a 503 (in Fastify's own body shape)
    // left the client to retry against a server that is going away
    return503OnClosing: false,
    // above Node's limit on the request line and headers (16 KiB by default; a longer URL is a
    // 431 from clientErrorHandler): a long id always reaches our validator (a 400 naming the
    // field) instead of the router's 414
    routerOptions: { maxParamLength: 65_536 },
    // the router's refusals (a malformed percent-escape in the path) and the HTTP parser's in
    // the API's error shape, not in Fastify's own
    frameworkErrors: onError,
    clientErrorHandler: clientErrorHandler(config.docsBaseUrl, logger),
  }) as unknown as FastifyInstance;

  // only JSON bodies: anything else is a 415, not a string handed to a validator
  app.removeContentTypeParser('text/plain');
  // Fastify's JSON parser (prototype-poisoning checks included), with a refusal that says where:
  // its own error names neither line nor column
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    parseJson(req, body as string, (err: Error | null, value?: unknown) => {
      if ((err as FastifyError | null)?.code === 'FST_ERR_CTP_INVALID_JSON_BODY') done(invalidJsonBody(body as string), undefined);
      else done(err, value);
    });
  });
  app.setErrorHandler(onError);
  app.setNotFoundHandler(notFoundHandler(config.docsBaseUrl));
  app.decorate('attune', ctx);

  // metrics the app made itself end with it; a server's own outlive the app's close (it flushes after)
  if (!deps.metrics) app.addHook('onClose', (_instance, done) => {
    metrics.close();
    done();
  });

  // a callback hook, not an async one: no promise per response
  app.addHook('onResponse', (req, reply, done) => {
    metrics.recordHttp(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  if (config.rateLimit.enabled) {
    await app.register(fastifyRateLimit, {
      global: true,
      max: config.rateLimit.max,
      timeWindow: config.rateLimit.windowMs,
      errorResponseBuilder: (_req, context) => ({
        statusCode: 429,
        error: { code: 'rate_limited', message: `rate limit of ${context.max} requests per ${context.after} exceeded: retry later` },
      }),
    });
  }

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Attune API',
        version: API_VERSION,
        description: 'Catalogue, users, events and recommendations. Errors share one shape: {error: {code, message, path?, docs?}}.',
      },
      tags: [
        { name: 'catalogue', description: 'Items and the item schema' },
        { name: 'users', description: 'Users, preferences, erasure and merging' },
        { name: 'events', description: 'Interaction events' },
        { name: 'operations', description: 'Health, readiness and metrics' },
      ],
    },
  });
  // the UI's assets come from the npm package: /docs works offline
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, async () => app.swagger());

  for (const plugin of routes ?? routePlugins) await plugin(app, ctx);
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the services and deps the routes share */
    attune: AppContext;
  }
}
