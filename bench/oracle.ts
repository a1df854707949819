/**
 * `npm run bench:oracle`: the oracle service's throughput on this machine.
 *
 * 1. Ingest: the service (its own process) under autocannon (another process), unique
 *    HMAC-signed events, measured alone: its chain side points at no node, so the cores are
 *    shared only by the service and the load generator (the node would otherwise compete).
 * 2. End to end: a `hardhat node` (automine) with the system deployed through Ignition, the
 *    service against it, N contributions posted as fast as 32 connections go, timed from the
 *    first POST to the last confirmation recorded in the service's database.
 *
 * Prints a table with the machine's cores and writes bench/results/oracle.json.
 */
import { execFile } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import Table from "cli-table3";
import { network } from "hardhat";

import { createDatabase } from "../src/oracle/db/createDatabase.js";
import { createStore } from "../src/oracle/db/createStore.js";
import { TOKEN } from "../test/helpers/fixtures.js";
import { startHardhatNode } from "../test/helpers/hardhat-node.js";
import { PLATFORM, PLATFORM_SECRET, deployForOracle, makeEvents, oracleEnv, postAll } from "../test/oracle/helpers.js";
import { oracleCommand, startService } from "../test/oracle/service.js";

const run = promisify(execFile);
const INGEST_SECONDS = 15;
const INGEST_CONNECTIONS = 32;
const E2E_CONTRIBUTIONS = 5000;
const E2E_BATCH = 400;

interface LoadResult {
  rps: number;
  total: number;
  ok: number;
  non2xx: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

async function load(url: string, label: string, durationSeconds: number): Promise<LoadResult> {
  const { command, args } = oracleCommand();
  const loader = [...args.slice(0, 3), path.resolve("bench", "oracleLoad.ts")];
  const { stdout } = await run(
    command,
    [
      ...loader,
      JSON.stringify({
        url,
        platform: PLATFORM,
        secret: PLATFORM_SECRET,
        connections: INGEST_CONNECTIONS,
        durationSeconds,
        label,
      }),
    ],
    { maxBuffer: 1 << 20, timeout: (durationSeconds + 60) * 1000 },
  );
  return JSON.parse(stdout.trim().split("\n").pop()!) as LoadResult;
}

const node = await startHardhatNode();
const deploymentId = `bench-oracle-${process.pid}`;
try {
  const connection = await network.create({ network: "localhost", override: { url: node.url } });
  const deployment = await deployForOracle(connection, { epochBudget: 5_000_000n * TOKEN, deploymentId });

  // ------------------------------------------------------------------ 1. ingest
  const ingestEnv = oracleEnv(deployment, { ORACLE_RPC_URL: "http://127.0.0.1:9", ORACLE_LOG_LEVEL: "error" });
  const ingestService = await startService(ingestEnv);
  await load(ingestService.url, `warmup-${Date.now()}`, 3);
  const ingest = await load(ingestService.url, `ingest-${Date.now()}`, INGEST_SECONDS);
  await ingestService.stop();

  // ------------------------------------------------------------------ 2. end to end
  const e2eEnv = oracleEnv(deployment, {
    ORACLE_RPC_URL: node.url,
    ORACLE_BATCH_MAX_ITEMS: String(E2E_BATCH),
    ORACLE_BATCH_MAX_WAIT_MS: "200",
    ORACLE_MAX_IN_FLIGHT: "4",
    ORACLE_LOG_LEVEL: "warn",
  });
  const e2eService = await startService(e2eEnv);
  const events = makeEvents(`bench-${Date.now()}`, E2E_CONTRIBUTIONS);
  const database = await createDatabase({ path: e2eEnv.ORACLE_DB_PATH! });
  const store = createStore({ db: database.db });
  const started = performance.now();
  const statuses = await postAll(e2eService.url, events, 32);
  const posted = performance.now();
  for (;;) {
    const confirmed = (await store.countByState()).confirmed ?? 0;
    if (confirmed >= E2E_CONTRIBUTIONS) break;
    if (performance.now() - started > 600_000) throw new Error(`only ${confirmed} confirmed after 10 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const finished = performance.now();
  const batches = await store.batchesInState(["confirmed"], 10_000);
  const gas = batches.reduce((sum, b) => sum + BigInt(b.gas_used ?? "0"), 0n);
  await database.close();
  await e2eService.stop();

  const e2eSeconds = (finished - started) / 1000;
  const results = {
    machine_cores: os.cpus().length,
    ingest_rps: Math.round(ingest.rps),
    ingest_p50_ms: ingest.p50,
    ingest_p99_ms: ingest.p99,
    ingest_requests: ingest.total,
    ingest_non_2xx: ingest.non2xx,
    ingest_errors: ingest.errors,
    e2e_contributions: E2E_CONTRIBUTIONS,
    e2e_seconds: Number(e2eSeconds.toFixed(2)),
    e2e_contributions_per_s: Math.round(E2E_CONTRIBUTIONS / e2eSeconds),
    e2e_post_seconds: Number(((posted - started) / 1000).toFixed(2)),
    e2e_batches: batches.length,
    e2e_gas_per_contribution: Number(gas / BigInt(E2E_CONTRIBUTIONS)),
    e2e_all_posts_accepted: statuses.every((s) => s === 201),
  };

  const table = new Table({ head: ["oracle benchmark", "value", "target"] });
  table.push(
    ["machine cores", results.machine_cores, ""],
    ["ingest requests/s", results.ingest_rps, "≥ 2,000"],
    ["ingest latency p50 (ms)", results.ingest_p50_ms, ""],
    ["ingest latency p99 (ms)", results.ingest_p99_ms, "≤ 50"],
    ["ingest non-2xx / errors", `${results.ingest_non_2xx} / ${results.ingest_errors}`, "0 / 0"],
    [`end to end: ${E2E_CONTRIBUTIONS} contributions (s)`, results.e2e_seconds, ""],
    ["end to end contributions confirmed/s", results.e2e_contributions_per_s, "≥ 500"],
    ["batches / gas per contribution", `${results.e2e_batches} / ${results.e2e_gas_per_contribution}`, ""],
  );
  console.log(table.toString());
  await mkdir(path.resolve("bench", "results"), { recursive: true });
  await writeFile(path.resolve("bench", "results", "oracle.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log("written to bench/results/oracle.json");
} finally {
  await node.stop();
  await rm(path.resolve("ignition", "deployments", deploymentId), { recursive: true, force: true });
}
