/** An error the CLI reports as one clear line (file, line, field) and a non-zero exit code. */
export class CliError extends Error {
  readonly code = 'cli_error';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
