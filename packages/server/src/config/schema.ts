import { z } from 'zod';
import { DEFAULT_TYPE_WEIGHTS } from '@attune/engine';

/**
 * The one configuration schema. Precedence: defaults < config file < ATTUNE_* environment
 * variables < command-line flags (see load.ts). Unknown keys are errors so typos surface.
 */
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
    store: z
      .object({
        /** 'full' fsyncs every commit; 'normal' survives process crashes (WAL) and is faster */
        synchronous: z.enum(['normal', 'full']).default('normal'),
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
