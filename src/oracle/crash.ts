/**
 * Fault injection for the crash tests: with `faults.crashAt` set (ORACLE_CRASH_AT), the
 * process kills itself with SIGKILL the `crashAfter`-th time it reaches that point, exactly
 * as `kill -9` would: no cleanup, no flush beyond what the store already committed.
 */
import type { CrashPoint } from "./config/loadConfig.js";

export interface CreateCrashParameters {
  crashAt?: CrashPoint | undefined;
  crashAfter: number;
  /** Called just before the kill (to log it). */
  onCrash?: (point: CrashPoint) => void;
}

export function createCrash({ crashAt, crashAfter, onCrash }: CreateCrashParameters): (point: CrashPoint) => void {
  if (crashAt === undefined) return () => {};
  let hits = 0;
  return (point) => {
    if (point !== crashAt) return;
    hits += 1;
    if (hits < crashAfter) return;
    onCrash?.(point);
    process.kill(process.pid, "SIGKILL");
  };
}
