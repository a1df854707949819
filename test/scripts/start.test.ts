/**
 * `npm start` (scripts/start.ts) as an operator runs it: a child process on free loopback
 * ports, with its own data directory and deployment id, watched through what it prints.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { jsonRpcChainId } from "../../scripts/start/children.js";
import { startHardhatNode, freeLoopbackPort } from "../helpers/hardhat-node.js";
import { terminalEnv } from "../helpers/env.js";

const READY = /Local stack ready/;

interface StartRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  ports: { rpc: number; oracle: number; gateway: number };
}

async function answersHttp(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return undefined;
  }
}

async function chainAnswers(url: string): Promise<boolean> {
  return (await jsonRpcChainId(url)) !== undefined;
}

async function waitForOutput(run: StartRun, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(run.output())) {
    if (run.child.exitCode !== null) {
      throw new Error(`npm start exited (${run.child.exitCode}) before ${pattern}:\n${run.output()}`);
    }
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("npm start (scripts/start.ts): the local stack", function () {
  this.timeout(300_000);
  const deploymentId = `test-start-${process.pid}`;
  let dataDir: string;
  const running: ChildProcess[] = [];

  before(async function () {
    dataDir = await mkdtemp(path.join(tmpdir(), "start-"));
  });

  afterEach(function () {
    // Each run is its own process group (detached): a failed test leaves no node, oracle or gateway.
    for (const child of running.splice(0)) {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // The group is gone already.
      }
    }
  });

  after(async function () {
    await rm(dataDir, { recursive: true, force: true });
    await rm(path.resolve("ignition", "deployments", deploymentId), { recursive: true, force: true });
  });

  async function start(args: string[] = [], rpcPort?: number): Promise<StartRun> {
    const ports = {
      rpc: rpcPort ?? (await freeLoopbackPort()),
      oracle: await freeLoopbackPort(),
      gateway: await freeLoopbackPort(),
    };
    const child = spawn(
      process.execPath,
      [
        "--disable-warning=ExperimentalWarning",
        "--import",
        "tsx",
        "scripts/start.ts",
        "--rpc-port",
        String(ports.rpc),
        "--oracle-port",
        String(ports.oracle),
        "--gateway-port",
        String(ports.gateway),
        "--data-dir",
        dataDir,
        "--deployment-id",
        deploymentId,
        ...args,
      ],
      { env: terminalEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    running.push(child);
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return { child, output: () => output, exited, ports };
  }

  it("starts the chain, deploys, starts the oracle and the gateway, runs the scenario, and stops everything on Ctrl-C", async function () {
    const run = await start();
    await waitForOutput(run, READY, 240_000);
    const out = run.output();
    const oracleUrl = `http://127.0.0.1:${run.ports.oracle}`;
    const gatewayUrl = `http://127.0.0.1:${run.ports.gateway}`;
    const rpcUrl = `http://127.0.0.1:${run.ports.rpc}`;

    // What happened, in readable form.
    expect(out).to.match(/Hardhat's node on http:\/\/127\.0\.0\.1:\d+ \(pid \d+/);
    expect(out).to.contain(`Deployed with Ignition (ignition/deployments/${deploymentId}`);
    expect(out).to.match(/CreditToken\s+0x[0-9a-fA-F]{40}/);
    expect(out).to.match(/RedemptionVault\s+0x[0-9a-fA-F]{40}/);
    expect(out).to.contain("The oracle minted 9 of 10 contributions");
    expect(out).to.match(/Linus\s+bugReport\s+rejected \(duplicate_report\)/);
    expect(out).to.match(/Ada\s+bugFix\s+confirmed\s+1\.60x\s+160 CRED/);
    expect(out).to.contain("Gateway: 402 Payment Required, price 2 CRED");
    expect(out).to.contain("1 CRED burned, 1 CRED to the treasury");
    expect(out).to.contain("Gateway, with x-usage-secret: 200, paid by usage");
    expect(out).to.contain("Gateway, with a premium access signature: 200, paid by premium");
    expect(out).to.contain("Redeemed 500 CRED for 5 tUSD (burned)");
    expect(out).to.contain("State after the vote: Succeeded");
    expect(out).to.contain("State: Executed; bugReport base reward 25 CRED → 30 CRED");
    // 25 → 30 CRED at quality 1.5x: the next bug report earns 45 CRED.
    expect(out).to.contain("Ada's bugReport: confirmed, 45 CRED at quality 1.50x (base reward now 30 CRED)");

    // Every endpoint it printed answers.
    expect(out).to.contain(`${oracleUrl}/healthz`);
    expect(await answersHttp(`${oracleUrl}/healthz`)).to.equal(200);
    expect(await answersHttp(`${oracleUrl}/metrics`)).to.equal(200);
    expect(await chainAnswers(rpcUrl)).to.equal(true);
    const gateway = await fetch(`${gatewayUrl}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: "hello" }),
    });
    expect(gateway.status).to.equal(402);
    await gateway.body?.cancel();
    expect(existsSync(path.join(dataDir, `oracle-${deploymentId}.sqlite`))).to.equal(true);

    run.child.kill("SIGINT");
    expect(await run.exited).to.equal(0);
    expect(run.output()).to.contain("Stopping gateway, oracle, chain");
    expect(await answersHttp(`${oracleUrl}/healthz`)).to.equal(undefined);
    expect(await answersHttp(`${gatewayUrl}/healthz`)).to.equal(undefined);
    expect(await chainAnswers(rpcUrl)).to.equal(false);
  });

  it("reuses a running chain and its deployment (a rerun picks another category), and redeploys on a new chain", async function () {
    const marker = path.join(dataDir, `stack-${deploymentId}.json`);
    const node = await startHardhatNode();
    let firstInstance: string;
    try {
      const rpcPort = Number(new URL(node.url).port);
      const first = await start(["--exit"], rpcPort);
      expect(await first.exited, first.output()).to.equal(0);
      expect(first.output()).to.contain(`Using the chain already running at ${node.url}`);
      expect(first.output()).to.contain(`Deployed with Ignition (ignition/deployments/${deploymentId}`);
      expect(first.output()).to.contain("bugReport base reward 25 CRED → 30 CRED");
      const token = /CreditToken\s+(0x[0-9a-fA-F]{40})/.exec(first.output())![1];
      firstInstance = (JSON.parse(await readFile(marker, "utf8")) as { chainInstance: string }).chainInstance;

      const second = await start(["--exit"], rpcPort);
      expect(await second.exited, second.output()).to.equal(0);
      expect(second.output()).to.contain(`Reusing deployment "${deploymentId}"`);
      expect(/CreditToken\s+(0x[0-9a-fA-F]{40})/.exec(second.output())![1]).to.equal(token);
      // bugReport changed this epoch already: the rerun proposes the next category.
      expect(second.output()).to.contain("bugFix base reward 100 CRED → 120 CRED");
      expect(second.output()).to.match(/Ada's bugFix: confirmed, 192 CRED at quality 1\.60x/);
      expect(second.output()).to.contain("Stopping gateway, oracle…");
      expect(await chainAnswers(node.url), "the chain it did not start keeps running").to.equal(true);
    } finally {
      await node.stop();
    }

    // The chain is gone: the next start deploys afresh (same addresses: same deployer and nonces).
    const third = await start(["--no-scenario", "--exit"]);
    expect(await third.exited, third.output()).to.equal(0);
    expect(third.output()).to.contain(`Deployed with Ignition (ignition/deployments/${deploymentId}`);
    const thirdInstance = (JSON.parse(await readFile(marker, "utf8")) as { chainInstance: string }).chainInstance;
    expect(thirdInstance).to.not.equal(firstInstance);
  });

  it("stops everything and exits 1 when the oracle dies", async function () {
    const run = await start(["--no-scenario"]);
    await waitForOutput(run, READY, 240_000);
    const oraclePid = Number(/Oracle on \S+ \(pid (\d+)/.exec(run.output())![1]);
    process.kill(oraclePid, "SIGKILL");
    expect(await run.exited).to.equal(1);
    expect(run.output()).to.contain("The oracle stopped unexpectedly (SIGKILL)");
    expect(run.output()).to.contain("Stopping gateway, chain");
    expect(await chainAnswers(`http://127.0.0.1:${run.ports.rpc}`)).to.equal(false);
    expect(await answersHttp(`http://127.0.0.1:${run.ports.gateway}/healthz`)).to.equal(undefined);
  });

  it("refuses a port held by something that is not a JSON-RPC node, and starts nothing", async function () {
    // Some other web server on the port.
    const squatter = createServer((_request, response) => response.writeHead(418).end("I'm a teapot"));
    const port = await freeLoopbackPort();
    await new Promise<void>((resolve) => squatter.listen(port, "127.0.0.1", resolve));
    try {
      const run = await start([], port);
      expect(await run.exited).to.equal(1);
      expect(run.output()).to.contain(
        `port ${port} is taken by something that is not a JSON-RPC node: pass --rpc-port`,
      );
      expect(run.output()).to.not.match(/^\s+at /m);
      expect(run.output()).to.not.contain("Stopping");
    } finally {
      squatter.closeAllConnections();
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it("rejects a malformed option with a usage message", async function () {
    const child = spawn(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", "--import", "tsx", "scripts/start.ts", "--rpc-port", "eighty"],
      { env: terminalEnv(), stdio: ["ignore", "pipe", "pipe"] },
    );
    running.push(child);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).to.equal(1);
    expect(stderr).to.contain("option '--rpc-port <port>' argument 'eighty' is invalid");
    expect(stderr).to.contain("expected a TCP port from 1 to 65535");
  });
});
