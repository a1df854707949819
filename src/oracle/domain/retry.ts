/**
 * Backoff arithmetic (pure): exponential with a cap and deterministic jitter from the attempt.
 */
export interface BackoffParameters {
  attempt: number;
  baseMs: number;
  maxMs: number;
}

export function backoffMs({ attempt, baseMs, maxMs }: BackoffParameters): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  // ±20% jitter, deterministic per attempt so tests are repeatable.
  const jitter = ((attempt * 7919) % 41) / 100 - 0.2;
  return Math.max(baseMs, Math.min(maxMs, Math.round(exp * (1 + jitter))));
}
