import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import path from "node:path";

import { freePort } from "../../scripts/start/children.js";

const STARTUP_TIMEOUT_MS = 60_000;
const READY_PATTERN = /Started HTTP and WebSocket JSON-RPC server at/;

/** A free TCP port on the loopback interface (the one helper `npm start` uses too). */
export const freeLoopbackPort = freePort;

export interface HardhatNode {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `hardhat node` on 127.0.0.1 and a free port (never 0.0.0.0), waits until it serves
 * JSON-RPC, and returns its URL and a stop function.
 */
export async function startHardhatNode(): Promise<HardhatNode> {
  const port = await freeLoopbackPort();
  const hardhatBin = path.resolve("node_modules", ".bin", "hardhat");
  const child: ChildProcess = spawn(hardhatBin, ["node", "--hostname", "127.0.0.1", "--port", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`hardhat node did not start within ${STARTUP_TIMEOUT_MS} ms:\n${output}`));
    }, STARTUP_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (READY_PATTERN.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`hardhat node exited with ${code}:\n${output}`));
    });
  });
  // Keep draining output so the child never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.removeAllListeners("exit");
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
