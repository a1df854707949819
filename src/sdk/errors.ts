/**
 * The SDK's error base, after viem's `BaseError` (src/errors/base.ts): a short message for
 * logs, optional detail lines, the cause, and an explicit `name` per class so that callers can
 * tell errors apart without `instanceof` across package copies.
 */
export interface BaseErrorParameters {
  /** Lines of detail appended to the message (what was wrong, what to do). */
  metaMessages?: readonly string[];
  cause?: unknown;
}

export class BaseError extends Error {
  override name = "BaseError";
  readonly shortMessage: string;
  readonly metaMessages: readonly string[];

  constructor(shortMessage: string, { metaMessages = [], cause }: BaseErrorParameters = {}) {
    super([shortMessage, ...metaMessages].join("\n"), cause === undefined ? undefined : { cause });
    this.shortMessage = shortMessage;
    this.metaMessages = metaMessages;
  }
}
