/**
 * Runs the oracle as the operator does, a plain Node 22 process (`scripts/oracle.ts` through
 * tsx, as `npm run oracle`), so tests can kill -9 it, restart it and read its JSON logs.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import path from "node:path";

const START_TIMEOUT_MS = 60_000;

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  /** Every log line so far (JSON objects). */
  logs: Record<string, unknown>[];
  /** Raw output, to check that no secret was ever printed. */
  output(): string;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function oracleCommand(args: string[] = []): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: ["--disable-warning=ExperimentalWarning", "--import", "tsx", path.resolve("scripts", "oracle.ts"), ...args],
  };
}

/** Starts the service and waits for its "oracle started" log line (or its death). */
export async function startService(env: Record<string, string>): Promise<ServiceProcess> {
  const { command, args } = oracleCommand();
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, ORACLE_LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Record<string, unknown>[] = [];
  let raw = "";
  let buffered = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the oracle did not start:\n${raw}`)), START_TIMEOUT_MS);
    child.stdout.on("data", (chunk: Buffer) => {
      raw += chunk.toString();
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (line.trim() === "") continue;
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === "oracle started") {
            clearTimeout(timer);
            resolve(String(entry.url));
          }
        } catch {
          // not a log line
        }
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      raw += chunk.toString();
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the oracle exited (${code ?? signal}) before starting:\n${raw}`));
    });
  });
  return {
    child,
    url,
    logs,
    output: () => raw,
    exited,
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
