/**
 * Structured JSON logs (pino): one object per line with a `msg`. Secrets never reach a log:
 * the config holds them in {@link Secret} wrappers (which print as "[redacted]") and pino
 * redacts the paths where a key or an HMAC secret could appear.
 */
import { pino } from "pino";
import type { Logger } from "pino";

export type { Logger };

export const REDACTED_PATHS = [
  "secret",
  "*.secret",
  "privateKey",
  "*.privateKey",
  "signerKeys",
  "*.signerKeys",
  "submitterKey",
  "*.submitterKey",
  "platformSecrets",
  "*.platformSecrets",
  "password",
  "*.password",
  "keystorePassword",
  "*.keystorePassword",
  'headers["x-oracle-signature"]',
  "*.headers.authorization",
];

export interface CreateLoggerParameters {
  level: string;
  /** Human-readable output (pino-pretty) instead of JSON lines. */
  pretty?: boolean;
  /** Where to write; defaults to stdout, synchronously. */
  destination?: NodeJS.WritableStream;
}

export function createLogger({ level, pretty = false, destination }: CreateLoggerParameters): Logger {
  const options = {
    level,
    base: { service: "oracle" },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (pretty) return pino({ ...options, transport: { target: "pino-pretty", options: { colorize: false } } });
  // Synchronous writes: every line before a crash (even kill -9) is out of the process.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
}
