import type { Hex, LocalAccount } from "viem";
import { getAddress, keccak256, toHex } from "viem";

import type { Contribution } from "../../src/sdk/contributions.js";
import { contributionRewardsDomain } from "../../src/sdk/eip712.js";
import type { RewardBatchArgs, RewardBatchMessage } from "../../src/sdk/signRewardBatch.js";
import { signRewardAttestation, signRewardBatch } from "../../src/sdk/signRewardBatch.js";
import type { ContributionRewards } from "../../types/ethers-contracts/index.js";

export interface SignedBatch {
  message: RewardBatchMessage;
  args: RewardBatchArgs;
  signatures: Hex[];
}

export interface BatchOptions {
  /** The signing keys; defaults to the first `threshold` oracles. */
  signers: readonly LocalAccount[];
  manifest?: Hex;
  deadline?: bigint;
  signerSetVersion?: bigint;
  chainId?: bigint;
  verifyingContract?: string;
}

/** Signs `contributions` as a batch for `rewards` with the shared SDK helper. */
export async function signBatch(
  rewards: ContributionRewards,
  contributions: readonly Contribution[],
  options: BatchOptions,
): Promise<SignedBatch> {
  const provider = rewards.runner?.provider;
  if (!provider) throw new Error("contract without a provider");
  const chainId = options.chainId ?? (await provider.getNetwork()).chainId;
  const [, , version] = await rewards.signerSet();
  const latest = await provider.getBlock("latest");
  const message: RewardBatchMessage = {
    contributions,
    manifest: options.manifest ?? keccak256(toHex(`manifest-${contributions[0]?.id ?? 0n}`)),
    signerSetVersion: options.signerSetVersion ?? version,
    deadline: options.deadline ?? BigInt(latest!.timestamp) + 3600n,
  };
  const verifyingContract = getAddress(options.verifyingContract ?? (await rewards.getAddress()));
  const domain = contributionRewardsDomain({ chainId, rewards: verifyingContract });
  const { signatures, args } = await signRewardBatch({ domain, batch: message, signers: options.signers });
  return { message, args, signatures };
}

/** Signs one contribution for the single-contribution path. */
export async function signAttestation(
  rewards: ContributionRewards,
  contribution: Contribution,
  signers: readonly LocalAccount[],
  deadline?: bigint,
) {
  const provider = rewards.runner?.provider;
  if (!provider) throw new Error("contract without a provider");
  const { chainId } = await provider.getNetwork();
  const [, , version] = await rewards.signerSet();
  const latest = await provider.getBlock("latest");
  const effectiveDeadline = deadline ?? BigInt(latest!.timestamp) + 3600n;
  const domain = contributionRewardsDomain({ chainId, rewards: getAddress(await rewards.getAddress()) });
  const signatures = await signRewardAttestation({
    domain,
    contribution,
    signerSetVersion: version,
    deadline: effectiveDeadline,
    signers,
  });
  return { signatures, signerSetVersion: version, deadline: effectiveDeadline };
}

/** `count` contributions with consecutive ids from `firstId`, to fresh deterministic addresses. */
export function contributionsTo(
  recipients: readonly string[],
  firstId: bigint,
  category: number,
  quality: number,
): Contribution[] {
  return recipients.map((contributor, i) => ({
    id: firstId + BigInt(i),
    contributor: getAddress(contributor),
    category,
    quality,
  }));
}

/** Deterministic fresh addresses (never funded, never used elsewhere in a test). */
export function freshAddresses(count: number, label = "contributor"): string[] {
  return Array.from({ length: count }, (_, i) => getAddress(keccak256(toHex(`${label}-${i}`)).slice(0, 42)));
}
