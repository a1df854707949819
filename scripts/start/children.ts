/**
 * The processes the local stack starts (the chain, the oracle, the gateway): each one's output
 * goes to its own log file, readiness is polled, and every one can be stopped politely
 * (SIGTERM, then SIGKILL after a grace period).
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";

export interface StartChildParameters {
  /** What the process is, for messages ("chain", "oracle"). */
  name: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Where stdout and stderr go (appended). */
  logFile: string;
  /** Resolves true once the process serves; polled until it does. */
  ready: () => Promise<boolean>;
  /** How long to wait for `ready`. */
  timeoutMs: number;
  /** Called as soon as the process exists, before it is ready (so that a shutdown can stop it). */
  onSpawn?: (child: Child) => void;
}

export interface Child {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (or the signal's name) when the process ends, for any reason. */
  exited: Promise<number | string>;
  /** Whether `stop` was called (an exit after it is expected). */
  readonly stopping: boolean;
  /** Whether the process still runs. */
  readonly running: boolean;
  /** SIGKILL now, if it still runs (never throws). */
  kill(): void;
  /** SIGTERM, then SIGKILL if it is still running after `graceMs`. Resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

/** The error when a child cannot be started or dies before it is ready. */
export class ChildStartError extends Error {
  override name = "ChildStartError";
}

const POLL_MS = 200;

/** The last `lines` lines of a log file, for error messages ("" if there is none). */
export async function tailOf(file: string, lines = 15): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/** Starts a process and waits until `ready` says it serves. Kills it if it never does. */
export async function startChild(parameters: StartChildParameters): Promise<Child> {
  const { name, command, args, env, logFile, ready, timeoutMs, onSpawn } = parameters;
  const log = createWriteStream(logFile, { flags: "a" });
  await new Promise<void>((resolve, reject) => log.once("open", () => resolve()).once("error", reject));
  const child: ChildProcess = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let stopping = false;
  // "close", not "exit": the process's last output (often why it died) is in the log by then.
  const exited = new Promise<number | string>((resolve) => {
    child.once("close", (code, signal) => log.end(() => resolve(code ?? signal ?? "unknown")));
    child.once("error", (error) => {
      if (child.pid === undefined) log.end(`\n${error.message}\n`, () => resolve(error.message));
    });
  });

  const handle: Child = {
    name,
    pid: child.pid ?? -1,
    logFile,
    exited,
    get stopping() {
      return stopping;
    },
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    kill() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
    async stop(graceMs = 10_000) {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };

  onSpawn?.(handle);
  const deadline = Date.now() + timeoutMs;
  let exitedEarly: number | string | undefined;
  void exited.then((code) => (exitedEarly = code));
  for (;;) {
    if (exitedEarly !== undefined) {
      throw new ChildStartError(
        `the ${name} exited (${exitedEarly}) before it was ready; the end of ${logFile}:\n${await tailOf(logFile)}`,
      );
    }
    if (await ready().catch(() => false)) return handle;
    if (Date.now() > deadline) {
      await handle.stop(2_000);
      throw new ChildStartError(
        `the ${name} was not ready within ${timeoutMs / 1000} s; the end of ${logFile}:\n${await tailOf(logFile)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(true));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(false)));
  });
}

/** A free TCP port on 127.0.0.1 (for `--*-port 0`). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port === 0 ? reject(new Error("could not allocate a port")) : resolve(port)));
    });
  });
}

/** Whether `url` answers a GET with a 2xx status. */
export async function answers(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.ok;
}

/** The chain id a JSON-RPC endpoint reports, or undefined if nothing answers JSON-RPC there. */
export async function jsonRpcChainId(url: string): Promise<bigint | undefined> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(2_000),
    });
    const body = (await response.json()) as { result?: unknown };
    return typeof body.result === "string" ? BigInt(body.result) : undefined;
  } catch {
    return undefined;
  }
}
