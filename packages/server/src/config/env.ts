import { ConfigError } from './configError.ts';
import { describeJsonError } from '../io/jsonSyntaxError.ts';

type Kind = 'int' | 'string' | 'bool' | 'weights';

/** Every environment variable Attune reads, the config key it sets, and how it parses. */
export const ENV_VARIABLES: ReadonlyArray<{ name: string; key: string; kind: Kind; help: string }> = [
  { name: 'ATTUNE_PORT', key: 'port', kind: 'int', help: 'HTTP port (default 8080)' },
  { name: 'ATTUNE_HOST', key: 'host', kind: 'string', help: 'interface to listen on (default 127.0.0.1)' },
  { name: 'ATTUNE_DATA', key: 'dataDir', kind: 'string', help: 'data directory (default ./attune-data)' },
  { name: 'ATTUNE_LOG_LEVEL', key: 'logLevel', kind: 'string', help: 'fatal|error|warn|info|debug|trace|silent' },
  { name: 'ATTUNE_BODY_LIMIT', key: 'bodyLimitBytes', kind: 'int', help: 'largest request body in bytes' },
  { name: 'ATTUNE_REQUEST_TIMEOUT', key: 'requestTimeoutMs', kind: 'int', help: 'longest a request may take to arrive, ms' },
  { name: 'ATTUNE_DOCS_BASE_URL', key: 'docsBaseUrl', kind: 'string', help: "public location of the docs folder, for errors' docs links (default docs/)" },
  { name: 'ATTUNE_ROLE', key: 'role', kind: 'string', help: 'all|api|worker (see docs/deployment.md)' },
  { name: 'ATTUNE_HEAP_GROWTH_PERCENT', key: 'heapGrowthPercent', kind: 'int', help: "old-generation growth between V8's full collections, % of what the last kept (default 200; 0: V8 chooses)" },
  { name: 'ATTUNE_STORE_KIND', key: 'store.kind', kind: 'string', help: 'sqlite|postgres' },
  { name: 'ATTUNE_POSTGRES_URL', key: 'store.postgres.url', kind: 'string', help: 'postgres://user:pass@host:5432/db' },
  { name: 'ATTUNE_POSTGRES_SCHEMA', key: 'store.postgres.schema', kind: 'string', help: 'schema holding the tables (default attune)' },
  { name: 'ATTUNE_POSTGRES_POOL_SIZE', key: 'store.postgres.poolSize', kind: 'int', help: 'connections per process (default 10)' },
  { name: 'ATTUNE_BUS_KIND', key: 'bus.kind', kind: 'string', help: 'memory|nats' },
  { name: 'ATTUNE_NATS_URL', key: 'bus.nats.url', kind: 'string', help: 'nats://host:4222 (comma-separated for a cluster)' },
  { name: 'ATTUNE_NATS_PREFIX', key: 'bus.nats.prefix', kind: 'string', help: 'stream and subject prefix (default attune)' },
  { name: 'ATTUNE_NATS_GROUP', key: 'bus.nats.group', kind: 'string', help: "workers' shared consumer name (default worker)" },
  { name: 'ATTUNE_ONLINE_KIND', key: 'online.kind', kind: 'string', help: 'memory|redis' },
  { name: 'ATTUNE_REDIS_URL', key: 'online.redis.url', kind: 'string', help: 'redis://host:6379/0' },
  { name: 'ATTUNE_REDIS_PREFIX', key: 'online.redis.prefix', kind: 'string', help: 'key prefix (default attune:)' },
  { name: 'ATTUNE_STORE_SYNCHRONOUS', key: 'store.synchronous', kind: 'string', help: 'normal|full' },
  { name: 'ATTUNE_EVENT_WEIGHTS', key: 'events.typeWeights', kind: 'weights', help: 'e.g. "view=1,cart=3,purchase=5" (merged with the defaults)' },
  { name: 'ATTUNE_EVENTS_DEFAULT_WEIGHT', key: 'events.defaultWeight', kind: 'int', help: 'weight of unlisted event types' },
  { name: 'ATTUNE_EVENTS_MAX_BATCH', key: 'events.maxBatch', kind: 'int', help: 'most events per POST /v1/events' },
  { name: 'ATTUNE_TRAINING_ENABLED', key: 'training.enabled', kind: 'bool', help: 'true|false' },
  { name: 'ATTUNE_TRAINING_INTERVAL_SECONDS', key: 'training.intervalSeconds', kind: 'int', help: 'retrain at least this often' },
  { name: 'ATTUNE_TRAINING_AFTER_EVENTS', key: 'training.afterNewEvents', kind: 'int', help: 'retrain after this many new events' },
  { name: 'ATTUNE_TRAINING_MODEL', key: 'training.model', kind: 'string', help: 'model name (empty: the trainer chooses)' },
  { name: 'ATTUNE_RATE_LIMIT_ENABLED', key: 'rateLimit.enabled', kind: 'bool', help: 'true|false' },
  { name: 'ATTUNE_RATE_LIMIT_MAX', key: 'rateLimit.max', kind: 'int', help: 'requests per window per client IP' },
  { name: 'ATTUNE_RATE_LIMIT_WINDOW_MS', key: 'rateLimit.windowMs', kind: 'int', help: 'rate limit window in ms' },
];

/** The config layer the ATTUNE_* variables describe (unset variables add nothing). */
export function configFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of ENV_VARIABLES) {
    const raw = env[v.name];
    if (raw === undefined || raw === '') continue;
    setPath(out, v.key, parseValue(v.name, v.kind, raw));
  }
  return out;
}

function parseValue(name: string, kind: Kind, raw: string): unknown {
  switch (kind) {
    case 'string':
      return raw;
    case 'int': {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new ConfigError(`${name}=${raw} is not a number`);
      return n;
    }
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new ConfigError(`${name}=${raw} is not a boolean (true/false)`);
    case 'weights': {
      if (raw.trim().startsWith('{')) {
        try {
          return JSON.parse(raw) as unknown;
        } catch (err) {
          throw new ConfigError(`${name} is not valid JSON: ${describeJsonError(raw, err)}`);
        }
      }
      const weights: Record<string, number> = {};
      for (const part of raw.split(',')) {
        const [type, w] = part.split('=').map((s) => s.trim());
        const n = Number(w);
        if (!type || w === undefined || !Number.isFinite(n)) throw new ConfigError(`${name}: "${part}" is not type=weight`);
        weights[type] = n;
      }
      return weights;
    }
  }
}

export function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let cur = target;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = value;
}
