import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../config/load.ts';
import { setPath } from '../config/env.ts';
import { CliError } from './cliError.ts';

/** The flags every command that reads the configuration shares. */
export interface ConfigFlags {
  config?: string;
  data?: string;
  port?: string;
  host?: string;
  logLevel?: string;
}

export function addConfigFlags(cmd: Command, opts: { server?: boolean } = {}): Command {
  cmd.option('-c, --config <file>', 'configuration file (JSON or YAML; default attune.config.{json,yaml,yml} in the current directory)');
  cmd.option('-d, --data <dir>', 'data directory holding the SQLite database (default ./attune-data)');
  cmd.option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent');
  if (opts.server) {
    cmd.option('-p, --port <port>', 'HTTP port (default 8080; 0 picks a free one)');
    cmd.option('--host <host>', 'interface to listen on (default 127.0.0.1)');
  }
  return cmd;
}

/** Loads the effective configuration: defaults < file < ATTUNE_* environment < these flags. */
export function configFromFlags(flags: ConfigFlags, overrides: Record<string, unknown> = {}): LoadedConfig {
  const layer: Record<string, unknown> = { ...overrides };
  if (flags.data !== undefined) setPath(layer, 'dataDir', flags.data);
  if (flags.host !== undefined) setPath(layer, 'host', flags.host);
  if (flags.logLevel !== undefined) setPath(layer, 'logLevel', flags.logLevel);
  if (flags.port !== undefined) {
    const port = Number(flags.port);
    if (!Number.isInteger(port)) throw new CliError(`--port ${flags.port} is not a port number`);
    setPath(layer, 'port', port);
  }
  return loadConfig(flags.config === undefined ? { flags: layer } : { flags: layer, configPath: flags.config });
}
