import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import path from "node:path";

import { freeLoopbackPort } from "./hardhat-node.js";

const STARTUP_TIMEOUT_MS = 30_000;

export interface AnvilNode {
  url: string;
  /** Sends a JSON-RPC request to the node. */
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /** Moves the node's clock forward and mines a block with the new time. */
  increaseTime(seconds: number | bigint): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts Foundry's anvil (the npm package) on 127.0.0.1 and a free port (never 0.0.0.0), with
 * its default chain id 31337 and the usual test mnemonic, and waits until it listens.
 */
export async function startAnvil(): Promise<AnvilNode> {
  const port = await freeLoopbackPort();
  const anvilBin = path.resolve("node_modules", ".bin", "anvil");
  const child: ChildProcess = spawn(anvilBin, ["--host", "127.0.0.1", "--port", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const ready = new RegExp(`Listening on 127\\.0\\.0\\.1:${port}`);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`anvil did not start within ${STARTUP_TIMEOUT_MS} ms:\n${output}`));
    }, STARTUP_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`anvil exited with ${code}:\n${output}`));
    });
  });
  // Keep draining output so the child never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();

  const url = `http://127.0.0.1:${port}`;
  let nextId = 1;
  const rpc = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
    });
    const body = (await response.json()) as { result?: T; error?: { message: string } };
    if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  };
  return {
    url,
    rpc,
    increaseTime: async (seconds) => {
      await rpc("evm_increaseTime", [Number(seconds)]);
      await rpc("evm_mine");
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.removeAllListeners("exit");
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
