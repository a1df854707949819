/**
 * Errors of the oracle, split by what to do about them (after ponder's `internal/errors.ts`):
 * a loop retries a {@link RetryableError} with backoff and stops on a {@link NonRetryableError}.
 * Every error carries a `shortMessage` for logs and an optional `cause`, as viem's BaseError.
 */
export interface OracleErrorOptions {
  cause?: unknown;
  /** Structured facts for the log line (never secrets). */
  details?: Record<string, unknown>;
}

export class OracleError extends Error {
  override name = "OracleError";
  readonly shortMessage: string;
  readonly details: Record<string, unknown>;

  constructor(shortMessage: string, options: OracleErrorOptions = {}) {
    super(shortMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details ?? {};
  }
}

/** A transient failure (RPC unreachable, timeout, busy database): try again later. */
export class RetryableError extends OracleError {
  override name = "RetryableError";
}

/** A failure that repeating cannot fix (bad configuration, a bug, a rejected input). */
export class NonRetryableError extends OracleError {
  override name = "NonRetryableError";
}

/** The configuration is invalid; the message names every offending key. */
export class ConfigError extends NonRetryableError {
  override name = "ConfigError";
}

/** A short description of any thrown value, for logs. */
export function describeError(error: unknown): string {
  if (error instanceof OracleError) return error.shortMessage;
  if (error instanceof Error) return (error as Error & { shortMessage?: string }).shortMessage ?? error.message;
  return String(error);
}
