/**
 * One shutdown object for the whole service (ponder's `internal/shutdown.ts`): every subsystem
 * registers its cleanup here, and `kill()` runs them once, last registered first.
 */
export interface Shutdown {
  /** Registers a cleanup; they run in reverse order of registration. */
  add(name: string, cleanup: () => Promise<void> | void): void;
  /** Runs every cleanup once; later calls return the same promise. */
  kill(): Promise<void>;
  /** Whether `kill()` was called. */
  readonly isKilled: boolean;
  /** Aborted when `kill()` is called, for loops and waits to stop early. */
  readonly signal: AbortSignal;
}

export interface CreateShutdownParameters {
  onError?: (name: string, error: unknown) => void;
}

export function createShutdown({ onError }: CreateShutdownParameters = {}): Shutdown {
  const cleanups: { name: string; cleanup: () => Promise<void> | void }[] = [];
  const controller = new AbortController();
  let killing: Promise<void> | undefined;
  return {
    add(name, cleanup) {
      cleanups.push({ name, cleanup });
    },
    kill() {
      killing ??= (async () => {
        controller.abort();
        for (const { name, cleanup } of [...cleanups].reverse()) {
          try {
            await cleanup();
          } catch (error) {
            onError?.(name, error);
          }
        }
      })();
      return killing;
    },
    get isKilled() {
      return controller.signal.aborted;
    },
    signal: controller.signal,
  };
}
