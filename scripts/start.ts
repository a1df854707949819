/**
 * `npm start`: the whole system on this machine, on embedded defaults. The npm script compiles
 * first (`hardhat compile`): this file imports the TypeChain types the compiler generates.
 *
 * 1. A local chain: Hardhat's node on 127.0.0.1 (or the one already answering on the port,
 *    which is then reused and never stopped by this script).
 * 2. The system deployed with Ignition (LocalCreditSystemModule, ignition/parameters/localhost.json)
 *    as deployment `chain-31337`. A restart against a chain that still runs reuses it; a
 *    deployment left from a chain that is gone is discarded, with the oracle's database.
 * 3. The oracle service (scripts/oracle.ts) on SQLite, and the example LLM gateway
 *    (scripts/gateway.ts), each a child process with its log in the data directory.
 * 4. A live scenario (scripts/start/scenario.ts): contributors earn, a user pays per use, buys
 *    premium and redeems, and a proposal changes a reward rate all the way through.
 *
 * Then it stays up until Ctrl-C (SIGINT) or SIGTERM, and stops every process it started;
 * `--exit` stops once the scenario ran (CI). If a child dies, everything stops with exit code 1.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import { Command, InvalidArgumentError } from "commander";
import pc from "picocolors";
import { getAddress } from "viem";
import type { Address } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { z } from "zod";

import LocalCreditSystemModule from "../ignition/modules/LocalCreditSystem.js";
import { createOracleClient } from "../src/oracle/client.js";
import { DeploymentError, loadDeployment } from "../src/sdk/deployments.js";
import type { SystemAddresses } from "../src/sdk/deployments.js";
import { answers, ChildStartError, jsonRpcChainId, portInUse, startChild, tailOf } from "./start/children.js";
import type { Child } from "./start/children.js";
import { createReporter } from "./start/reporter.js";
import { runScenario } from "./start/scenario.js";

/** Hardhat's development chain id (the node's and Ignition's default). */
const LOCAL_CHAIN_ID = 31337n;
/** The accounts of Hardhat's node: the well-known development mnemonic, never a real key. */
const DEVELOPMENT_MNEMONIC = "test test test test test test test test test test test junk";
/** Accounts 10 and 11 are two of the three oracle signers of localhost.json (threshold 2). */
const ORACLE_SIGNER_ACCOUNTS = [10, 11];
/** The account that pays the oracle's gas. */
const ORACLE_SUBMITTER_ACCOUNT = 8;
const PLATFORM = "local";
const PARAMETERS = path.resolve("ignition", "parameters", "localhost.json");
/** Hardhat's command line (package.json `bin`). */
const HARDHAT_CLI = path.resolve("node_modules", "hardhat", "dist", "src", "cli.js");
/** The gateway's price of one request, in CRED. */
const GATEWAY_PRICE = "2";

/** A problem the operator can fix (a port taken, a foreign chain): shown without a stack trace. */
class StartError extends Error {
  override name = "StartError";
}

interface StartOptions {
  rpcPort: number;
  oraclePort: number;
  gatewayPort: number;
  dataDir: string;
  deploymentId: string;
  scenario: boolean;
  exit: boolean;
}

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 65_535) {
    throw new InvalidArgumentError("expected a TCP port from 1 to 65535");
  }
  return parsed;
}

function deploymentId(value: string): string {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/.test(value)) {
    throw new InvalidArgumentError("letters, digits, '-' and '_' only (it names a folder)");
  }
  return value;
}

const program = new Command()
  .name("npm start --")
  .description("Starts a local chain, deploys the system, starts the oracle and the gateway, and runs a live scenario.")
  .option("--rpc-port <port>", "the local chain's JSON-RPC port on 127.0.0.1", port, 8545)
  .option("--oracle-port <port>", "the oracle's HTTP port on 127.0.0.1", port, 8787)
  .option("--gateway-port <port>", "the example LLM gateway's HTTP port on 127.0.0.1", port, 8788)
  .option("--data-dir <dir>", "logs, the oracle's database and the platform's HMAC secret", path.join("data", "local"))
  .option("--deployment-id <id>", "the Ignition deployment id", deploymentId, "chain-31337")
  .option("--no-scenario", "start the stack without running the scenario")
  .option("--exit", "stop everything and exit once the scenario ran (for CI)")
  .showHelpAfterError();

const options = program.parse().opts<StartOptions>();
const report = createReporter();
const children: Child[] = [];
let shuttingDown = false;

/** Stops what this script started (the newest first) and exits. */
async function shutdown(code: number, why?: string): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    if (why !== undefined) console.error(why);
    const newestFirst = children.filter((child) => child.running).reverse();
    if (newestFirst.length > 0) {
      console.log(`\nStopping ${newestFirst.map((child) => child.name).join(", ")}…`);
      for (const child of newestFirst) await child.stop();
      console.log("Stopped.");
    }
    process.exit(code);
  }
  return new Promise<never>(() => {});
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (shuttingDown) {
      // A second Ctrl-C: do not wait for the children's graceful shutdown.
      for (const child of children) child.kill();
      process.exit(130);
    }
    void shutdown(0);
  });
}

/** Records a child the moment it exists, so that a shutdown stops it even before it is ready. */
function register(child: Child): void {
  children.push(child);
  // A shutdown that began while this one was being spawned has already taken its list.
  if (shuttingDown) void child.stop();
}

/** Watches a ready child: if it dies while the stack runs, everything stops. */
function supervise(child: Child): Child {
  void child.exited.then(async (code) => {
    // Ctrl-C reaches the children too (one process group): give our own handler a moment.
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (child.stopping || shuttingDown) return;
    await shutdown(
      1,
      `\n${pc.red(`The ${child.name} stopped unexpectedly (${code}).`)} The end of ${child.logFile}:\n${await tailOf(child.logFile)}`,
    );
  });
  return child;
}

function privateKeyOf(index: number): `0x${string}` {
  const key = mnemonicToAccount(DEVELOPMENT_MNEMONIC, { addressIndex: index }).getHdKey().privateKey;
  if (key === null) throw new Error(`cannot derive the key of account ${index}`);
  return `0x${Buffer.from(key).toString("hex")}`;
}

/** Which deployment and chain instance the oracle database next to it belongs to. */
const stackMarkerSchema = z.object({
  deploymentId: z.string(),
  chainInstance: z.string(),
  rewards: z.string(),
});
type StackMarker = z.infer<typeof stackMarkerSchema>;

async function readMarker(file: string): Promise<StackMarker | undefined> {
  try {
    return stackMarkerSchema.parse(JSON.parse(await readFile(file, "utf8")));
  } catch {
    return undefined;
  }
}

/**
 * The hash of block 1: it tells one run of a local node from another (the timestamps differ),
 * where the chain id and the deterministic contract addresses do not. Undefined on an empty chain.
 */
async function chainInstanceOf(provider: { getBlock(block: number): Promise<{ hash: string | null } | null> }) {
  return (await provider.getBlock(1))?.hash ?? undefined;
}

/** The platform's HMAC secret, made once per data directory and kept there (never in git). */
async function platformSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, "platform-secret");
  try {
    return (await readFile(file, "utf8")).trim();
  } catch {
    const secret = randomBytes(32).toString("hex");
    await writeFile(file, `${secret}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    return secret;
  }
}

async function main(): Promise<void> {
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true }).catch((error: unknown) => {
    throw new StartError(`cannot create the data directory ${dataDir}: ${(error as Error).message}`);
  });
  const rpcUrl = `http://127.0.0.1:${options.rpcPort}`;
  const oracleUrl = `http://127.0.0.1:${options.oraclePort}`;
  const gatewayUrl = `http://127.0.0.1:${options.gatewayPort}`;
  const show = (file: string) => path.relative(process.cwd(), file) || ".";

  // ---- the chain -----------------------------------------------------------------------
  report.section("Local chain");
  const runningChainId = await jsonRpcChainId(rpcUrl);
  if (runningChainId !== undefined) {
    if (runningChainId !== LOCAL_CHAIN_ID) {
      throw new StartError(
        `the node at ${rpcUrl} is chain ${runningChainId}, not the local chain ${LOCAL_CHAIN_ID}: stop it or pass --rpc-port`,
      );
    }
    report.line(`Using the chain already running at ${rpcUrl} (it is not stopped on exit)`);
  } else {
    if (await portInUse(options.rpcPort)) {
      throw new StartError(
        `port ${options.rpcPort} is taken by something that is not a JSON-RPC node: pass --rpc-port`,
      );
    }
    const logFile = path.join(dataDir, "chain.log");
    await report.wait(
      `Starting Hardhat's node on ${rpcUrl}`,
      async () =>
        supervise(
          await startChild({
            name: "chain",
            // Hardhat's CLI on this Node (22), whatever `node` the PATH holds.
            command: process.execPath,
            args: [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(options.rpcPort)],
            logFile,
            ready: async () => (await jsonRpcChainId(rpcUrl)) !== undefined,
            timeoutMs: 60_000,
            onSpawn: register,
          }),
        ),
      (child) => `Hardhat's node on ${rpcUrl} (pid ${child.pid}, log ${show(logFile)})`,
    );
  }
  for (const name of ["oracle", "gateway"] as const) {
    const value = name === "oracle" ? options.oraclePort : options.gatewayPort;
    if (await portInUse(value)) throw new StartError(`port ${value} (the ${name}'s) is taken: pass --${name}-port`);
  }

  // ---- the deployment --------------------------------------------------------------------
  // The Hardhat config reads LOCALHOST_RPC_URL when it loads: set it first.
  process.env.LOCALHOST_RPC_URL = rpcUrl;
  const { default: hre } = await import("hardhat");
  report.section("Deployment");
  const connection = await hre.network.create({ network: "localhost" });
  const deploymentsDir = path.join(hre.config.paths.ignition, "deployments");
  const deploymentDir = path.join(deploymentsDir, options.deploymentId);
  // One oracle database per deployment, with a marker saying which chain instance it belongs to.
  const databasePath = path.join(dataDir, `oracle-${options.deploymentId}.sqlite`);
  const markerPath = path.join(dataDir, `stack-${options.deploymentId}.json`);
  const chainInstance = await chainInstanceOf(connection.ethers.provider);
  const marker = await readMarker(markerPath);
  let reused = false;
  try {
    const existing = await loadDeployment({ deploymentId: options.deploymentId, deploymentsDir });
    // The addresses are deterministic (deployer and nonces), so code there is not proof enough
    // when the marker knows which chain instance the deployment was made on.
    reused =
      (await connection.ethers.provider.getCode(existing.addresses.token)) !== "0x" &&
      (marker === undefined || marker.chainInstance === chainInstance);
  } catch (error) {
    if (!(error instanceof DeploymentError)) throw error;
  }
  if (!reused) {
    // Whatever is there belongs to a chain that is gone.
    await rm(deploymentDir, { recursive: true, force: true });
  }
  let stablecoin: Address;
  try {
    const deployed = await report.wait(
      reused ? `Checking deployment "${options.deploymentId}"` : `Deploying the system as "${options.deploymentId}"`,
      () =>
        connection.ignition.deploy(LocalCreditSystemModule, {
          parameters: PARAMETERS,
          deploymentId: options.deploymentId,
          displayUi: false,
        }),
      () =>
        reused
          ? `Reusing deployment "${options.deploymentId}" (${show(deploymentDir)})`
          : `Deployed with Ignition (${show(deploymentDir)}, parameters ${show(PARAMETERS)})`,
    );
    stablecoin = getAddress(await deployed.stablecoin.getAddress());
  } catch (error) {
    throw new StartError(
      `Ignition could not ${reused ? "continue" : "make"} deployment "${options.deploymentId}": ` +
        `${error instanceof Error ? error.message : String(error)}\n` +
        "If the contracts or ignition/parameters/localhost.json changed since it was made, start a fresh chain " +
        "or pass another --deployment-id.",
    );
  }
  const { addresses } = await loadDeployment({ deploymentId: options.deploymentId, deploymentsDir });
  const keepDatabase =
    reused && marker !== undefined && marker.chainInstance === chainInstance && marker.rewards === addresses.rewards;
  if (!keepDatabase) {
    // A database of another deployment or chain would hold ids and batches that mean nothing here.
    for (const suffix of ["", "-wal", "-shm", "-journal"]) await rm(`${databasePath}${suffix}`, { force: true });
  }
  const current: StackMarker = {
    deploymentId: options.deploymentId,
    chainInstance: (await chainInstanceOf(connection.ethers.provider))!,
    rewards: addresses.rewards,
  };
  await writeFile(markerPath, `${JSON.stringify(current, null, 2)}\n`);
  const labels: [string, Address, string][] = [
    ["CreditToken", addresses.token, ""],
    ["TimelockController", addresses.timelock, "treasury, admin of everything"],
    ["CreditGovernor", addresses.governor, ""],
    ["EmissionController", addresses.emission, ""],
    ["ContributionRewards", addresses.rewards, ""],
    ["CreditSpender", addresses.spender, ""],
    ["RedemptionVault", addresses.vault, ""],
    ["TestStablecoin", stablecoin, "local stand-in for USDC"],
  ];
  report.table(labels.map(([name, address, note]) => [name, address, note]));

  // ---- the oracle and the gateway ----------------------------------------------------------
  report.section("Services");
  const secret = await platformSecret(dataDir);
  const node = process.execPath;
  const tsx = ["--disable-warning=ExperimentalWarning", "--import", "tsx"];
  const oracleLog = path.join(dataDir, "oracle.log");
  await report.wait(
    `Starting the oracle on ${oracleUrl}`,
    async () =>
      supervise(
        await startChild({
          name: "oracle",
          command: node,
          args: [...tsx, "scripts/oracle.ts", "start"],
          env: {
            ...process.env,
            ORACLE_HTTP_HOST: "127.0.0.1",
            ORACLE_HTTP_PORT: String(options.oraclePort),
            ORACLE_DB_PATH: databasePath,
            ORACLE_RPC_URL: rpcUrl,
            ORACLE_CHAIN_ID: String(LOCAL_CHAIN_ID),
            ORACLE_REWARDS_ADDRESS: addresses.rewards,
            ORACLE_SIGNER_KEYS: ORACLE_SIGNER_ACCOUNTS.map(privateKeyOf).join(","),
            ORACLE_SUBMITTER_KEY: privateKeyOf(ORACLE_SUBMITTER_ACCOUNT),
            ORACLE_PLATFORM_SECRETS: `${PLATFORM}=${secret}`,
            ORACLE_CONFIRMATIONS: "1",
            ORACLE_BATCH_MAX_WAIT_MS: "500",
            ORACLE_LOG_LEVEL: "info",
          },
          logFile: oracleLog,
          ready: () => answers(`${oracleUrl}/healthz`),
          timeoutMs: 60_000,
          onSpawn: register,
        }),
      ),
    (child) => `Oracle on ${oracleUrl} (pid ${child.pid}, SQLite ${show(databasePath)}, log ${show(oracleLog)})`,
  );
  const gatewayLog = path.join(dataDir, "gateway.log");
  await report.wait(
    `Starting the example LLM gateway on ${gatewayUrl}`,
    async () =>
      supervise(
        await startChild({
          name: "gateway",
          command: node,
          args: [...tsx, "scripts/gateway.ts"],
          env: {
            ...process.env,
            GATEWAY_RPC_URL: rpcUrl,
            GATEWAY_PORT: String(options.gatewayPort),
            GATEWAY_SPENDER: addresses.spender,
            GATEWAY_PRICE,
          },
          logFile: gatewayLog,
          ready: () => answers(`${gatewayUrl}/healthz`),
          timeoutMs: 60_000,
          onSpawn: register,
        }),
      ),
    (child) => `Gateway on ${gatewayUrl} (pid ${child.pid}, ${GATEWAY_PRICE} CRED a request, log ${show(gatewayLog)})`,
  );

  // ---- the scenario ------------------------------------------------------------------------
  if (options.scenario) {
    await runScenario({
      ethers: connection.ethers,
      addresses: { ...(addresses satisfies SystemAddresses), stablecoin },
      oracle: createOracleClient({ url: oracleUrl, platform: PLATFORM, secret }),
      gatewayUrl,
      runId: Date.now().toString(36),
      report,
    });
  }

  report.section(pc.green("Local stack ready"));
  report.table([
    ["chain (JSON-RPC)", rpcUrl, "chain id 31337, Hardhat's development accounts"],
    [
      "oracle API",
      `${oracleUrl}/v1/contributions`,
      `platform "${PLATFORM}", HMAC secret in ${show(path.join(dataDir, "platform-secret"))}`,
    ],
    ["oracle health", `${oracleUrl}/healthz`, ""],
    ["oracle metrics", `${oracleUrl}/metrics`, "Prometheus"],
    ["LLM gateway", `${gatewayUrl}/v1/completions`, "402 until paid or premium"],
  ]);
  report.line("");
  const env = options.rpcPort === 8545 ? "" : `LOCALHOST_RPC_URL=${rpcUrl} `;
  const deployment = options.deploymentId === "chain-31337" ? "" : ` --deployment-id ${options.deploymentId}`;
  report.line(`Try: ${env}npx hardhat gov list --network localhost${deployment}`);
  report.line(`     ${env}npx hardhat gov epoch --network localhost${deployment}`);
  report.line(`     curl ${oracleUrl}/healthz`);
  if (options.exit) await shutdown(0);
  report.line(pc.dim("Press Ctrl-C to stop."));
}

main().catch(async (error: unknown) => {
  // A child that did not start explains itself (with its log); anything else is a bug: show the stack.
  const message =
    error instanceof ChildStartError || error instanceof StartError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  await shutdown(1, `\n${pc.red("Error:")} ${message}`);
});
