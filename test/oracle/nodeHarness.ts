/**
 * A `hardhat node` with the system deployed through Ignition, and chain snapshots so each
 * scenario starts from the same deployment.
 */
import { rm } from "node:fs/promises";
import path from "node:path";

import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import type { Address, Hex } from "viem";

import { startHardhatNode } from "../helpers/hardhat-node.js";
import type { HardhatNode } from "../helpers/hardhat-node.js";
import { deployForOracle } from "./helpers.js";
import type { DeployOptions, OracleDeployment } from "./helpers.js";

export interface NodeHarness {
  node: HardhatNode;
  connection: NetworkConnection;
  deployment: OracleDeployment;
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  snapshot(): Promise<Hex>;
  revert(id: Hex): Promise<void>;
  stop(): Promise<void>;
}

export async function startNodeHarness(label: string, options: DeployOptions = {}): Promise<NodeHarness> {
  const node = await startHardhatNode();
  const deploymentId = `oracle-${label}-${process.pid}`;
  const connection = await network.create({ network: "localhost", override: { url: node.url } });
  const deployment = await deployForOracle(connection, { ...options, deploymentId });
  const rpc = <T>(method: string, params: unknown[] = []) =>
    connection.provider.request({ method, params }) as Promise<T>;
  return {
    node,
    connection,
    deployment,
    rpc,
    snapshot: () => rpc<Hex>("evm_snapshot"),
    async revert(id) {
      const ok = await rpc<boolean>("evm_revert", [id]);
      if (!ok) throw new Error(`evm_revert ${id} failed`);
    },
    async stop() {
      await node.stop();
      await rm(path.resolve("ignition", "deployments", deploymentId), { recursive: true, force: true });
    },
  };
}

/** Each id rewarded exactly once among the ContributionRewarded logs since `fromBlock`. */
export async function rewardedLogCounts(
  connection: NetworkConnection,
  rewards: Address,
  fromBlock = 0,
): Promise<Map<number, number>> {
  const contract = await connection.ethers.getContractAt("ContributionRewards", rewards);
  const logs = await contract.queryFilter(contract.filters.ContributionRewarded(), fromBlock, "latest");
  const counts = new Map<number, number>();
  for (const log of logs) {
    const id = Number(log.args.contributionId);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
