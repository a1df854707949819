/**
 * Deployed addresses, read back from Hardhat Ignition's deployment folder:
 * `ignition/deployments/<deploymentId>/deployed_addresses.json`, which maps Ignition future ids
 * (`CreditGovernanceModule#CreditToken`) to addresses. Ignition names a deployment
 * `chain-<chainId>` unless given an id, so the default is the deployment of the connected chain.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

import { getAddress, isAddress } from "viem";
import type { Address } from "viem";
import { z } from "zod";

/** The Ignition future id of each contract of the system (see ignition/modules/). */
export const DEPLOYMENT_FUTURES = {
  token: "CreditGovernanceModule#CreditToken",
  timelock: "CreditGovernanceModule#TimelockController",
  governor: "CreditGovernanceModule#CreditGovernor",
  emission: "CreditRewardsModule#EmissionController",
  rewards: "CreditRewardsModule#ContributionRewards",
  spender: "CreditCreditsModule#CreditSpender",
  vault: "CreditCreditsModule#RedemptionVault",
} as const;

export type SystemContract = keyof typeof DEPLOYMENT_FUTURES;

/** The addresses of one deployment of the system, by contract. */
export type SystemAddresses = Record<SystemContract, Address>;

/** Ignition's default deployment id for a chain. */
export function defaultDeploymentId(chainId: number | bigint): string {
  return `chain-${chainId}`;
}

/** The base of every error this module throws: a short message, details, and the cause. */
export class DeploymentError extends Error {
  override name = "DeploymentError";
  readonly shortMessage: string;
  readonly metaMessages: string[];

  constructor(shortMessage: string, options: { metaMessages?: string[]; cause?: unknown } = {}) {
    const metaMessages = options.metaMessages ?? [];
    super([shortMessage, ...metaMessages].join("\n"), { cause: options.cause });
    this.shortMessage = shortMessage;
    this.metaMessages = metaMessages;
  }
}

/** No deployment folder (or no deployed_addresses.json in it) for the id. */
export class DeploymentNotFoundError extends DeploymentError {
  override name = "DeploymentNotFoundError";
}

/** The file is not JSON, or not a map from future ids to addresses. */
export class DeploymentInvalidError extends DeploymentError {
  override name = "DeploymentInvalidError";
}

/** The deployment lacks some contracts of the system (an interrupted or a different module). */
export class DeploymentIncompleteError extends DeploymentError {
  override name = "DeploymentIncompleteError";
}

const addressSchema = z
  .string()
  .refine((value) => isAddress(value, { strict: false }), { message: "not an address" })
  .transform((value) => getAddress(value));

/** deployed_addresses.json: Ignition future id → address. */
const deployedAddressesSchema = z.record(z.string(), addressSchema);

/**
 * Maps the content of a deployed_addresses.json to the system's named addresses.
 * @param json The parsed file.
 * @param source Where it came from, for error messages.
 */
export function parseDeployedAddresses(json: unknown, source = "deployed_addresses.json"): SystemAddresses {
  const parsed = deployedAddressesSchema.safeParse(json);
  if (!parsed.success) {
    throw new DeploymentInvalidError(`${source} is not a map of Ignition future ids to addresses`, {
      metaMessages: parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`),
    });
  }
  const futures = parsed.data;
  const missing = Object.values(DEPLOYMENT_FUTURES).filter((future) => futures[future] === undefined);
  if (missing.length > 0) {
    throw new DeploymentIncompleteError(`${source} has no ${missing.join(", ")}`, {
      metaMessages: ["The deployment did not finish (run the deploy again to resume it) or is of another module."],
    });
  }
  return Object.fromEntries(
    Object.entries(DEPLOYMENT_FUTURES).map(([name, future]) => [name, futures[future]]),
  ) as SystemAddresses;
}

export interface LoadDeploymentParameters {
  /** The deployment id; defaults to Ignition's `chain-<chainId>`. */
  deploymentId?: string;
  /** The chain id, for the default deployment id. */
  chainId?: number | bigint;
  /** The folder of deployments; defaults to `ignition/deployments` under the working directory. */
  deploymentsDir?: string;
}

export interface LoadDeploymentReturnType {
  deploymentId: string;
  /** The file the addresses were read from. */
  file: string;
  addresses: SystemAddresses;
}

/**
 * Reads and validates the addresses of a deployment.
 * @throws {DeploymentNotFoundError} with the ids that do exist, if there is no such deployment.
 * @throws {DeploymentInvalidError} if the file is not a map of future ids to addresses.
 * @throws {DeploymentIncompleteError} if a contract of the system is missing.
 */
export async function loadDeployment({
  deploymentId,
  chainId,
  deploymentsDir = path.resolve("ignition", "deployments"),
}: LoadDeploymentParameters): Promise<LoadDeploymentReturnType> {
  if (deploymentId === undefined && chainId === undefined) {
    throw new DeploymentError("give a deployment id or the chain id of the deployment");
  }
  const id = deploymentId ?? defaultDeploymentId(chainId!);
  const file = path.join(deploymentsDir, id, "deployed_addresses.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    const known = await listDeployments(deploymentsDir);
    throw new DeploymentNotFoundError(`no deployment "${id}" (${path.relative(process.cwd(), file)} not found)`, {
      metaMessages: [known.length > 0 ? `Deployments here: ${known.join(", ")}.` : "There are no deployments here."],
      cause,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new DeploymentInvalidError(`${path.relative(process.cwd(), file)} is not valid JSON`, { cause });
  }
  return { deploymentId: id, file, addresses: parseDeployedAddresses(json, path.relative(process.cwd(), file)) };
}

/** The deployment ids in a deployments folder (empty if there is none). */
export async function listDeployments(deploymentsDir = path.resolve("ignition", "deployments")): Promise<string[]> {
  try {
    const entries = await readdir(deploymentsDir, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}
