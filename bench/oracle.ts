/**
 * `npm run bench:oracle`: the oracle service's throughput on this machine.
 *
 * 1. Ingest: the service (its own process) under autocannon (another process), unique
 *    HMAC-signed events, measured alone: its chain side points at no node, so the cores are
 *    shared only by the service and the load generator (the node would otherwise compete).
 * 2. End to end: a `hardhat node` (automine) with the system deployed through Ignition, the
 *    service against it, N contributions posted by the load generator (16 connections), timed
 *    from the first POST to the last confirmation recorded in the service's database; once
 *    with `simulate` gas estimation and once with `estimate` (eth_estimateGas), from the same
 *    chain state; and once more with the contributions already queued (the node behind a
 *    paused proxy while they arrive), timed from the moment the node is reachable: the
 *    pipeline's own rate, without the load generator and the ingest competing for the cores.
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
import { PLATFORM, PLATFORM_SECRET, deployForOracle, oracleEnv } from "../test/oracle/helpers.js";
import type { OracleDeployment } from "../test/oracle/helpers.js";
import { startProxy } from "../test/oracle/proxy.js";
import { oracleCommand, startService } from "../test/oracle/service.js";

const run = promisify(execFile);
const INGEST_SECONDS = 15;
const INGEST_CONNECTIONS = 16;
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

async function load(url: string, label: string, durationSeconds: number, amount?: number): Promise<LoadResult> {
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
        amount,
        label,
      }),
    ],
    { maxBuffer: 1 << 20, timeout: (durationSeconds + 120) * 1000 },
  );
  return JSON.parse(stdout.trim().split("\n").pop()!) as LoadResult;
}

interface E2eResult {
  seconds: number;
  perSecond: number;
  postSeconds: number;
  batches: number;
  gasPerContribution: number;
}

/** Posts N contributions through the load generator and times them until all are confirmed. */
async function endToEnd(
  deployment: OracleDeployment,
  nodeUrl: string,
  mode: "simulate" | "estimate",
  backlog: boolean,
): Promise<E2eResult> {
  // For the backlog run the node sits behind a paused proxy while the contributions arrive.
  const proxy = await startProxy(nodeUrl);
  if (backlog) proxy.pause();
  const env = oracleEnv(deployment, {
    ORACLE_RPC_URL: proxy.url,
    ORACLE_BATCH_MAX_ITEMS: String(E2E_BATCH),
    ORACLE_BATCH_MAX_WAIT_MS: "200",
    ORACLE_MAX_IN_FLIGHT: "4",
    ORACLE_GAS_ESTIMATION: mode,
    ORACLE_LOG_LEVEL: "warn",
  });
  const service = await startService(env);
  const database = await createDatabase({ path: env.ORACLE_DB_PATH! });
  const store = createStore({ db: database.db });
  try {
    let started = performance.now();
    const posted = await load(service.url, `e2e-${mode}-${Date.now()}`, 0, E2E_CONTRIBUTIONS);
    const postSeconds = (performance.now() - started) / 1000;
    if (backlog) {
      started = performance.now();
      proxy.resume();
    }
    if (posted.ok !== E2E_CONTRIBUTIONS)
      throw new Error(`only ${posted.ok} of ${E2E_CONTRIBUTIONS} posts accepted: ${JSON.stringify(posted)}`);
    for (;;) {
      const confirmed = (await store.countByState()).confirmed ?? 0;
      if (confirmed >= E2E_CONTRIBUTIONS) break;
      if (performance.now() - started > 600_000) throw new Error(`only ${confirmed} confirmed after 10 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    const batches = await store.batchesInState(["confirmed"], 10_000);
    const gas = batches.reduce((sum, b) => sum + BigInt(b.gas_used ?? "0"), 0n);
    return {
      seconds: Number(seconds.toFixed(2)),
      perSecond: Math.round(E2E_CONTRIBUTIONS / seconds),
      postSeconds: Number(postSeconds.toFixed(2)),
      batches: batches.length,
      gasPerContribution: Number(gas / BigInt(E2E_CONTRIBUTIONS)),
    };
  } finally {
    await database.close();
    await service.stop();
    await proxy.close();
  }
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
  console.log(`ingest: ${JSON.stringify(ingest)}`);

  // ------------------------------------------------------------------ 2. end to end
  // Both gas estimation modes, from the same chain state (snapshot/revert between them).
  let clean = (await connection.provider.request({ method: "evm_snapshot", params: [] })) as string;
  const e2e: Record<string, E2eResult> = {};
  for (const [name, mode, backlog] of [
    ["simulate", "simulate", false],
    ["estimate", "estimate", false],
    ["backlog", "simulate", true],
  ] as const) {
    if (!(await connection.provider.request({ method: "evm_revert", params: [clean] })))
      throw new Error("evm_revert failed");
    clean = (await connection.provider.request({ method: "evm_snapshot", params: [] })) as string;
    e2e[name] = await endToEnd(deployment, node.url, mode, backlog);
    console.log(`${name}: ${JSON.stringify(e2e[name])}`);
  }
  // The headline is the default configuration (eth_estimateGas).
  const best = e2e.estimate!;
  const results = {
    machine_cores: os.cpus().length,
    ingest_rps: Math.round(ingest.rps),
    ingest_p50_ms: ingest.p50,
    ingest_p99_ms: ingest.p99,
    ingest_requests: ingest.total,
    ingest_non_2xx: ingest.non2xx,
    ingest_errors: ingest.errors,
    e2e_contributions: E2E_CONTRIBUTIONS,
    e2e_gas_estimation: "estimate",
    e2e_seconds: best.seconds,
    e2e_contributions_per_s: best.perSecond,
    e2e_post_seconds: best.postSeconds,
    e2e_batches: best.batches,
    e2e_gas_per_contribution: best.gasPerContribution,
    e2e_simulate_mode_seconds: e2e.simulate!.seconds,
    e2e_simulate_mode_contributions_per_s: e2e.simulate!.perSecond,
    e2e_backlog_seconds: e2e.backlog!.seconds,
    e2e_backlog_contributions_per_s: e2e.backlog!.perSecond,
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
    ["  the same with simulate gas estimation", results.e2e_simulate_mode_contributions_per_s, ""],
    ["backlog drained: contributions confirmed/s", results.e2e_backlog_contributions_per_s, ""],
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
