/**
 * Connects a `gov` command to the deployed system on `--network`: the addresses come from the
 * Ignition deployment of the connected chain (src/sdk/deployments.ts), or from `--governor` /
 * `--rewards`; the contracts are typed with the TypeChain factories Hardhat generated.
 */
import path from "node:path";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { getAddress } from "viem";

import { DeploymentError, loadDeployment } from "../../src/sdk/deployments.js";
import type { SystemAddresses, SystemContract } from "../../src/sdk/deployments.js";
import {
  ContributionRewards__factory,
  CreditGovernor__factory,
  CreditToken__factory,
  EmissionController__factory,
  TimelockController__factory,
} from "../../types/ethers-contracts/index.js";
import type {
  ContributionRewards,
  CreditGovernor,
  CreditToken,
  EmissionController,
  TimelockController,
} from "../../types/ethers-contracts/index.js";
import { CommandError } from "./command.js";
import { formatAmount, parseAddress, parseAmount } from "./units.js";

/** The options every `gov` command takes (tasks/index.ts). */
export interface GovOptions {
  from: string | undefined;
  deploymentId: string | undefined;
  governor: string | undefined;
  rewards: string | undefined;
}

type Ethers = Awaited<ReturnType<HardhatRuntimeEnvironment["network"]["create"]>>["ethers"];

/**
 * The addresses a command works with. The spender and the vault are known from a deployment
 * only: `--governor` and `--rewards` lead to the other five.
 */
export type GovAddresses = Omit<SystemAddresses, "spender" | "vault"> &
  Partial<Pick<SystemAddresses, "spender" | "vault">>;

export interface System {
  ethers: Ethers;
  chainId: bigint;
  /** Where the addresses came from: a deployment id, or "--governor/--rewards". */
  source: string;
  addresses: GovAddresses;
  token: CreditToken;
  timelock: TimelockController;
  governor: CreditGovernor;
  emission: EmissionController;
  rewards: ContributionRewards;
  decimals: number;
  symbol: string;
  /** 50000 tokens → "50,000 CRED". */
  amount: (value: bigint) => string;
  /** "1000" → 1000 tokens in the smallest unit. */
  parseAmount: (text: string) => bigint;
  /** The sending account (`--from`), connected to the contracts with `.connect(signer)`. */
  signer: () => Promise<HardhatEthersSigner>;
  /** The latest block's timestamp: the governance clock. */
  now: () => Promise<bigint>;
}

/** Decimals shown for token amounts; longer values are cut and marked "~". */
export const DISPLAY_DECIMALS = 4;

const LABELS: Record<SystemContract, string> = {
  token: "token",
  timelock: "timelock",
  governor: "governor",
  emission: "emission controller",
  rewards: "rewards contract",
  spender: "credit spender",
  vault: "redemption vault",
};

export async function connectSystem(hre: HardhatRuntimeEnvironment, options: GovOptions): Promise<System> {
  const { ethers } = await hre.network.create();
  const provider = ethers.provider;
  const { chainId } = await provider.getNetwork();
  const { addresses, source } = await resolveAddresses(hre, ethers, chainId, options);

  const known = (Object.keys(LABELS) as SystemContract[]).flatMap((name) => {
    const address = addresses[name];
    return address === undefined ? [] : [[name, address] as const];
  });
  const codes = await Promise.all(
    known.map(async ([name, address]) => [name, address, await provider.getCode(address)] as const),
  );
  const missing = codes.find(([, , code]) => code === "0x");
  if (missing !== undefined) {
    const [name, address] = missing;
    throw new CommandError(
      `there is no contract at the ${LABELS[name]} address ${address} on chain ${chainId} ` +
        `(addresses from ${source}: is it a deployment of another chain or of a node that was restarted?)`,
    );
  }

  const token = CreditToken__factory.connect(addresses.token, provider);
  const [decimals, symbol] = await Promise.all([token.decimals(), token.symbol()]);
  let signer: HardhatEthersSigner | undefined;
  return {
    ethers,
    chainId,
    source,
    addresses,
    token,
    timelock: TimelockController__factory.connect(addresses.timelock, provider),
    governor: CreditGovernor__factory.connect(addresses.governor, provider),
    emission: EmissionController__factory.connect(addresses.emission, provider),
    rewards: ContributionRewards__factory.connect(addresses.rewards, provider),
    decimals: Number(decimals),
    symbol,
    amount: (value) => `${formatAmount(value, Number(decimals), { maxDecimals: DISPLAY_DECIMALS })} ${symbol}`,
    parseAmount: (text) => parseAmount(text, Number(decimals)),
    signer: async () => (signer ??= await resolveSigner(ethers, options.from)),
    now: async () => {
      const block = await provider.getBlock("latest");
      if (block === null) throw new CommandError("the node returned no latest block");
      return BigInt(block.timestamp);
    },
  };
}

async function resolveAddresses(
  hre: HardhatRuntimeEnvironment,
  ethers: Ethers,
  chainId: bigint,
  options: GovOptions,
): Promise<{ addresses: GovAddresses; source: string }> {
  const governorOverride = options.governor === undefined ? undefined : parseAddress(options.governor, "--governor");
  const rewardsOverride = options.rewards === undefined ? undefined : parseAddress(options.rewards, "--rewards");

  let addresses: Partial<GovAddresses> = {};
  let source = "--governor and --rewards";
  if (governorOverride === undefined || rewardsOverride === undefined) {
    try {
      const deployment = await loadDeployment({
        deploymentId: options.deploymentId,
        chainId,
        deploymentsDir: path.join(hre.config.paths.ignition, "deployments"),
      });
      addresses = deployment.addresses;
      source = `deployment "${deployment.deploymentId}"`;
    } catch (error) {
      if (error instanceof DeploymentError) {
        throw new CommandError(
          `${error.shortMessage}. ${error.metaMessages.join(" ")} ` +
            "Deploy first (hardhat deploy), pass --deployment-id, or give --governor and --rewards.",
        );
      }
      throw error;
    }
  }
  // A governor knows its token and timelock; a rewards contract knows its emission controller.
  if (governorOverride !== undefined) {
    const governor = CreditGovernor__factory.connect(governorOverride, ethers.provider);
    const [token, timelock] = await Promise.all([governor.token(), governor.timelock()]).catch(() => {
      throw new CommandError(`--governor ${governorOverride} is not a CreditGovernor on chain ${chainId}`);
    });
    addresses = {
      ...addresses,
      governor: getAddress(governorOverride),
      token: getAddress(token),
      timelock: getAddress(timelock),
    };
  }
  if (rewardsOverride !== undefined) {
    const rewards = ContributionRewards__factory.connect(rewardsOverride, ethers.provider);
    const emission = await rewards.emission().catch(() => {
      throw new CommandError(`--rewards ${rewardsOverride} is not a ContributionRewards on chain ${chainId}`);
    });
    addresses = { ...addresses, rewards: getAddress(rewardsOverride), emission: getAddress(emission) };
  }
  // Complete: either a deployment gave all of them, or both overrides gave the five core ones.
  return { addresses: addresses as GovAddresses, source };
}

async function resolveSigner(ethers: Ethers, from: string | undefined): Promise<HardhatEthersSigner> {
  const signers = await ethers.getSigners();
  if (signers.length === 0) {
    throw new CommandError("the network has no accounts (set the deployer key in the keystore, see README)");
  }
  if (from === undefined) return signers[0]!;
  if (/^\d+$/.test(from)) {
    const signer = signers[Number(from)];
    if (signer === undefined) {
      throw new CommandError(
        `--from ${from}: the network has only ${signers.length} accounts (0 to ${signers.length - 1})`,
      );
    }
    return signer;
  }
  const address = parseAddress(from, "--from");
  const signer = signers.find((candidate) => candidate.address.toLowerCase() === address.toLowerCase());
  if (signer === undefined) throw new CommandError(`--from ${address} is not one of the network's accounts`);
  return signer;
}
