/**
 * A secret value (a private key, an HMAC secret) that cannot leak by accident: it prints,
 * inspects and serialises as "[redacted]". Read it with `reveal()` only where it is used.
 */
const REDACTED = "[redacted]";

export class Secret<T = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return REDACTED;
  }
}
