/** A configuration problem, reported by the CLI as one line naming the source and the key. */
export class ConfigError extends Error {
  readonly code = 'config_error';
}
