/**
 * The composition root: config → logger → metrics → database → chain → pipeline → server, in
 * plain code, every subsystem registering its cleanup with one shutdown object.
 */
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";

import type { Transport } from "viem";
import { http } from "viem";

import { loadAbis } from "./chain/abis.js";
import { createChain } from "./chain/createChain.js";
import type { Chain } from "./chain/createChain.js";
import type { ServiceConfig } from "./config/loadConfig.js";
import { createCrash } from "./crash.js";
import { createDatabase } from "./db/createDatabase.js";
import { createStore } from "./db/createStore.js";
import type { Store } from "./db/createStore.js";
import { parsePolicy } from "./domain/policies.js";
import type { ScoringPolicy } from "./domain/policies.js";
import { ConfigError, NonRetryableError } from "./errors.js";
import { createServer } from "./http/createServer.js";
import { createLogger } from "./logger.js";
import type { Logger } from "./logger.js";
import { createMetrics } from "./metrics/createMetrics.js";
import type { Metrics } from "./metrics/createMetrics.js";
import { createPipeline } from "./pipeline/createPipeline.js";
import type { Pipeline } from "./pipeline/createPipeline.js";
import { createShutdown } from "./shutdown.js";
import type { Shutdown } from "./shutdown.js";

export interface CreateOracleParameters {
  config: ServiceConfig;
  /** The chain transport; defaults to `http(config.chain.rpcUrl)`. Tests pass `custom(provider)`. */
  transport?: Transport;
  logger?: Logger;
  /** Start the pipeline loop (tests may drive it with `pipeline.tick()` instead). */
  autoStart?: boolean;
}

export interface Oracle {
  config: ServiceConfig;
  logger: Logger;
  metrics: Metrics;
  store: Store;
  chain: Chain;
  policy: ScoringPolicy;
  pipeline: Pipeline;
  server: ReturnType<typeof createServer>;
  shutdown: Shutdown;
  /** The URL the API listens on. */
  url: string;
}

export function loadPolicy(file: string): ScoringPolicy {
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new ConfigError(`cannot read the scoring policies at ${file}`, { cause });
  }
  try {
    return parsePolicy(content);
  } catch (cause) {
    throw new ConfigError(`invalid scoring policies in ${file}: ${(cause as Error).message}`, { cause });
  }
}

/** Builds and starts the oracle: the API listens and the pipeline runs (recovery first). */
export async function createOracle({
  config,
  transport,
  logger: givenLogger,
  autoStart = true,
}: CreateOracleParameters): Promise<Oracle> {
  const logger = givenLogger ?? createLogger({ level: config.log.level, pretty: config.log.pretty });
  const shutdown = createShutdown({
    onError: (name, error) => logger.error({ subsystem: name, err: String(error) }, "cleanup failed"),
  });
  try {
    const policy = loadPolicy(config.policiesPath);
    const database = await createDatabase({ path: config.db.path });
    shutdown.add("database", () => database.close());
    const store = createStore({ db: database.db });
    const metrics = createMetrics({ queueDepth: () => store.countByState() });
    const crash = createCrash({
      ...config.faults,
      onCrash: (point) => logger.warn({ point }, "fault injection: killing the process (SIGKILL)"),
    });
    const chainTransport =
      transport ??
      (config.chain.rpcUrl === undefined
        ? undefined
        : http(config.chain.rpcUrl, { timeout: config.chain.rpcTimeoutMs, retryCount: 0 }));
    if (chainTransport === undefined) throw new ConfigError("the oracle service needs ORACLE_RPC_URL (chain.rpcUrl)");
    const chain = createChain({
      transport: chainTransport,
      abis: loadAbis(config.artifactsDir),
      rewardsAddress: config.chain.rewardsAddress,
      submitterKey: config.secrets.submitterKey,
      signerKeys: config.secrets.signerKeys,
      fromBlock: config.chain.fromBlock,
      expectedChainId: config.chain.chainId,
      pollingIntervalMs: config.chain.pollIntervalMs,
    });
    const clock = () => Date.now() + config.faults.clockOffsetMs;
    const pipeline = createPipeline({ config, store, chain, policy, metrics, logger, crash, clock });
    shutdown.add("pipeline", () => pipeline.stop());
    const server = createServer({
      store,
      metrics,
      logger,
      secrets: config.secrets.platformSecrets,
      bodyLimitBytes: config.http.bodyLimitBytes,
      replayWindowSeconds: config.http.replayWindowSeconds,
      crash,
      health: () => pipeline.status(),
    });
    shutdown.add("http", () => server.close());
    await server.listen({ host: config.http.host, port: config.http.port });
    const address = server.server.address() as AddressInfo;
    const url = `http://${config.http.host}:${address.port}`;
    logger.info(
      {
        url,
        db: config.db.path,
        rewards: config.chain.rewardsAddress,
        submitter: chain.submitter.address,
        signers: chain.signers.map((s) => s.address),
        policyVersion: policy.version,
        platforms: [...config.secrets.platformSecrets.keys()],
      },
      "oracle started",
    );
    if (autoStart) pipeline.start();
    return { config, logger, metrics, store, chain, policy, pipeline, server, shutdown, url };
  } catch (error) {
    await shutdown.kill();
    if (error instanceof NonRetryableError) throw error;
    throw error;
  }
}
