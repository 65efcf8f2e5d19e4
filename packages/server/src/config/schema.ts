import { z } from 'zod';
import { DEFAULT_TYPE_WEIGHTS } from '@attune/engine';

/**
 * The one configuration schema. Precedence: defaults < config file < ATTUNE_* environment
 * variables < command-line flags (see load.ts). Unknown keys are errors so typos surface.
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

export const configSchema = z
  .object({
    port: z.number().int().min(0).max(65535).default(8080),
    /** 127.0.0.1 by default: the API has no authentication, expose it deliberately */
    host: z.string().min(1).default('127.0.0.1'),
    /** directory of the SQLite database (attune.db, WAL mode) */
    dataDir: z.string().min(1).default('./attune-data'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** largest accepted request body */
    bodyLimitBytes: z.number().int().positive().default(16 * 1024 * 1024),
    /**
     * longest a request may take to arrive whole, headers and body (then a 408 and the connection
     * is closed): a client trickling bytes cannot hold a connection for ever. Fastify's default,
     * 0, turns off Node's own limit.
     */
    requestTimeoutMs: z.number().int().positive().default(60_000),
    /** where error responses' `docs` links point: the public location of the docs/ folder (default the repository path docs/) */
    docsBaseUrl: z.string().min(1).default('docs/'),
    /**
     * What this process runs: 'all' (API + trainer, the embedded default), 'api' (serves, never
     * trains) or 'worker' (trainer and background jobs; HTTP only for health, metrics and models).
     * 'api' and 'worker' share PostgreSQL, Redis and NATS: see docs/deployment.md.
     */
    role: z.enum(['all', 'api', 'worker']).default('all'),
    /**
     * How far V8 lets the old generation grow past what the last full collection kept before it
     * runs the next one, in %, for the whole process (0: V8 chooses). V8 chooses from how fast it
     * collects: on a serving heap of ~70 MB that it collects quickly it allowed ~10 %, so under
     * load a full collection came every few seconds (5 in 48 s at 5,000 requests/s), and each
     * slows the serving thread for ~0.1 s (marking steps and a 5-15 ms pause) while requests
     * queue. At 200 % there was none in 65 s. The cost is memory: up to twice the live heap in
     * garbage between collections; on large heaps, which it collects slowly, V8 itself allows up
     * to 300 %.
     */
    heapGrowthPercent: z.number().int().min(0).max(1000).default(200),
    store: z
      .object({
        /** 'sqlite' (embedded file in dataDir) or 'postgres' (shared by every node) */
        kind: z.enum(['sqlite', 'postgres']).default('sqlite'),
        /** SQLite: 'full' fsyncs every commit; 'normal' survives process crashes (WAL) and is faster */
        synchronous: z.enum(['normal', 'full']).default('normal'),
        postgres: z
          .object({
            /** postgres://user:pass@host:5432/db; required when kind is 'postgres' */
            url: z.string().min(1).optional(),
            /** tables live in this schema (created if missing), so deployments can share a database */
            schema: z.string().regex(IDENTIFIER, 'a SQL identifier: letters, digits, _').default('attune'),
            poolSize: z.number().int().positive().max(1000).default(10),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    bus: z
      .object({
        /** 'memory' (one process) or 'nats' (JetStream, reaches every node) */
        kind: z.enum(['memory', 'nats']).default('memory'),
        nats: z
          .object({
            /** nats://host:4222, several separated by commas; required when kind is 'nats' */
            url: z.string().min(1).optional(),
            /** stream name and subject prefix: one per deployment */
            prefix: z.string().regex(NAME, 'letters, digits, _ and -').default('attune'),
            /** the worker role's shared durable consumer (each message handled by one worker) */
            group: z.string().regex(NAME, 'letters, digits, _ and -').default('worker'),
            /** how long the stream keeps messages for a worker that is down */
            maxAgeMs: z.number().int().positive().default(24 * 3_600_000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    online: z
      .object({
        /** recent per-user state: 'memory' (this process) or 'redis' (shared by every node) */
        kind: z.enum(['memory', 'redis']).default('memory'),
        /** recent events kept per user */
        maxHistory: z.number().int().positive().default(200),
        /** recently shown items kept per user */
        maxImpressions: z.number().int().positive().default(100),
        /** half-life of GET /v1/trending's activity decay */
        trendingHalfLifeMs: z.number().int().positive().default(24 * 3_600_000),
        redis: z
          .object({
            /** redis://host:6379/0; required when kind is 'redis' */
            url: z.string().min(1).optional(),
            /** every key starts with it: one per deployment */
            prefix: z.string().min(1).default('attune:'),
            /** a user's recent state expires after this long idle */
            userTtlSeconds: z.number().int().positive().default(7 * 86_400),
            /** impressions stay attributable this long */
            attributionTtlSeconds: z.number().int().positive().default(86_400),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    events: z
      .object({
        /** weight per event type for training; unknown types get defaultWeight; 0 ignores a type */
        typeWeights: z.record(z.string(), z.number().min(0)).default({ ...DEFAULT_TYPE_WEIGHTS }),
        defaultWeight: z.number().min(0).default(1),
        /** most events one POST /v1/events may carry */
        maxBatch: z.number().int().positive().max(100_000).default(10_000),
      })
      .strict()
      .prefault({}),
    training: z
      .object({
        enabled: z.boolean().default(true),
        /** retrain at least this often */
        intervalSeconds: z.number().int().positive().default(3600),
        /** …or as soon as this many new events arrived */
        afterNewEvents: z.number().int().positive().default(10_000),
        /** model name from the engine's registry; empty lets the trainer choose */
        model: z.string().default(''),
        params: z.record(z.string(), z.unknown()).default({}),
      })
      .strict()
      .prefault({}),
    rateLimit: z
      .object({
        /** off by default; when on, each client IP gets `max` requests per `windowMs` */
        enabled: z.boolean().default(false),
        max: z.number().int().positive().default(1000),
        windowMs: z.number().int().positive().default(1000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type AttuneConfig = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** Defaults only: handy for tests, which then override a field or two. */
export function defaultConfig(overrides: ConfigInput = {}): AttuneConfig {
  return configSchema.parse(overrides);
}

/**
 * Rules across keys, checked on the merged configuration only (a file may set the role and the
 * environment the URLs, so no single layer has to be complete). Empty when the config is usable.
 */
export function deploymentIssues(config: AttuneConfig): string[] {
  const issues: string[] = [];
  if (config.store.kind === 'postgres' && !config.store.postgres.url) issues.push("store.postgres.url is required when store.kind is 'postgres' (ATTUNE_POSTGRES_URL)");
  if (config.bus.kind === 'nats' && !config.bus.nats.url) issues.push("bus.nats.url is required when bus.kind is 'nats' (ATTUNE_NATS_URL)");
  if (config.online.kind === 'redis' && !config.online.redis.url) issues.push("online.redis.url is required when online.kind is 'redis' (ATTUNE_REDIS_URL)");
  // with NATS, subscribers run after the POST answers: the ingest path itself writes the online
  // state, which every node must then read (Redis records a redelivered event only once)
  if (config.bus.kind === 'nats' && config.online.kind !== 'redis') issues.push("bus.kind 'nats' needs online.kind 'redis': the ingest path writes the shared online state");
  if (config.role !== 'all') {
    // split roles only work when every node sees the same data, messages and recent state
    if (config.store.kind !== 'postgres') issues.push(`role '${config.role}' needs store.kind 'postgres': a SQLite file is not shared between nodes`);
    if (config.bus.kind !== 'nats') issues.push(`role '${config.role}' needs bus.kind 'nats': the memory bus does not reach other nodes`);
    if (config.online.kind !== 'redis') issues.push(`role '${config.role}' needs online.kind 'redis': a node's memory is not seen by the others`);
  }
  return issues;
}
