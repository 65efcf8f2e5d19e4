import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ZodError } from 'zod';
import { configSchema, deploymentIssues, type AttuneConfig } from './schema.ts';
import { configFromEnv } from './env.ts';
import { ConfigError } from './configError.ts';
import { describeJsonError } from '../io/jsonSyntaxError.ts';

export const CONFIG_FILE_NAMES = ['attune.config.json', 'attune.config.yaml', 'attune.config.yml'];

export { ConfigError };

export interface LoadOptions {
  /** explicit config file (--config); else ATTUNE_CONFIG; else attune.config.{json,yaml,yml} in cwd */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** command-line flags, already shaped like the config (highest precedence) */
  flags?: Record<string, unknown>;
}

export interface LoadedConfig {
  config: AttuneConfig;
  /** the config file read, if any */
  file?: string;
}

/** defaults < config file < ATTUNE_* environment < flags, validated by the one schema. */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const file = findConfigFile(opts.configPath ?? env.ATTUNE_CONFIG, cwd);
  const fromFile = file ? readConfigFile(file) : {};
  const defaults = configSchema.parse({});
  let merged: unknown = defaults;
  for (const [layer, source] of [
    [fromFile, file ?? 'config file'],
    [configFromEnv(env), 'environment'],
    [opts.flags ?? {}, 'flags'],
  ] as const) {
    try {
      merged = deepMerge(merged, layer);
      // validate per layer so the message names where a bad value came from
      configSchema.parse(merged);
    } catch (err) {
      if (err instanceof ZodError) throw new ConfigError(`invalid configuration from ${source}: ${formatZod(err)}`);
      throw err;
    }
  }
  const config = configSchema.parse(merged);
  const issues = deploymentIssues(config);
  if (issues.length > 0) throw new ConfigError(`invalid configuration: ${issues.join('; ')}`);
  return file ? { config, file } : { config };
}

function findConfigFile(explicit: string | undefined, cwd: string): string | undefined {
  if (explicit) {
    const p = resolve(cwd, explicit);
    if (!existsSync(p)) throw new ConfigError(`config file ${p} does not exist`);
    return p;
  }
  for (const name of CONFIG_FILE_NAMES) {
    const p = resolve(cwd, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

function readConfigFile(path: string): Record<string, unknown> {
  const text = readFileSync(path, 'utf8');
  let value: unknown;
  try {
    value = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid ${path.endsWith('.json') ? `JSON: ${describeJsonError(text, err)}` : `YAML: ${(err as Error).message}`}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`config file ${path} must hold an object`);
  return value as Record<string, unknown>;
}

function formatZod(err: ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/** Objects merge key by key (so a file's typeWeights add to the defaults); anything else replaces. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
