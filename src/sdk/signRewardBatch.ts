import type { Hex, LocalAccount } from "viem";

import type { Contribution } from "./contributions.js";
import { packContribution } from "./contributions.js";
import type { ContractDomain } from "./eip712.js";
import { rewardAttestationTypes, rewardBatchTypes } from "./eip712.js";

/** A batch as the quorum signs it: contributions as structs, not packed. */
export interface RewardBatchMessage {
  contributions: readonly Contribution[];
  manifest: Hex;
  signerSetVersion: bigint;
  deadline: bigint;
}

/** The batch as `ContributionRewards.rewardBatch` takes it: one packed word per contribution. */
export interface RewardBatchArgs {
  contributions: Hex[];
  manifest: Hex;
  signerSetVersion: bigint;
  deadline: bigint;
}

export interface SignRewardBatchParameters {
  domain: ContractDomain;
  batch: RewardBatchMessage;
  /** The signing keys (k of the current signer set); order does not matter. */
  signers: readonly LocalAccount[];
}

export interface SignRewardBatchReturnType {
  /** Signatures ordered by strictly increasing signer address, as the contract requires. */
  signatures: Hex[];
  args: RewardBatchArgs;
}

/** Orders accounts by address, ascending, as ContributionRewards checks signatures. */
export function sortSigners<T extends { address: string }>(signers: readonly T[]): T[] {
  return [...signers].sort((a, b) => {
    const x = BigInt(a.address);
    const y = BigInt(b.address);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * Signs a reward batch with each key (the same code path whether the k keys live in one
 * process or each oracle node signs with its own), and returns the signatures in the order
 * the contract expects together with the packed call arguments.
 */
export async function signRewardBatch({
  domain,
  batch,
  signers,
}: SignRewardBatchParameters): Promise<SignRewardBatchReturnType> {
  const message = { ...batch, contributions: [...batch.contributions] };
  const signatures = await Promise.all(
    sortSigners(signers).map((account) =>
      account.signTypedData({ domain, types: rewardBatchTypes, primaryType: "RewardBatch", message }),
    ),
  );
  return { signatures, args: toRewardBatchArgs(batch) };
}

/** The packed call arguments of a batch. */
export function toRewardBatchArgs(batch: RewardBatchMessage): RewardBatchArgs {
  return {
    contributions: batch.contributions.map(packContribution),
    manifest: batch.manifest,
    signerSetVersion: batch.signerSetVersion,
    deadline: batch.deadline,
  };
}

export interface SignRewardAttestationParameters {
  domain: ContractDomain;
  contribution: Contribution;
  signerSetVersion: bigint;
  deadline: bigint;
  signers: readonly LocalAccount[];
}

/** Signs one contribution for `ContributionRewards.rewardContribution`; signatures in contract order. */
export async function signRewardAttestation({
  domain,
  contribution,
  signerSetVersion,
  deadline,
  signers,
}: SignRewardAttestationParameters): Promise<Hex[]> {
  return Promise.all(
    sortSigners(signers).map((account) =>
      account.signTypedData({
        domain,
        types: rewardAttestationTypes,
        primaryType: "RewardAttestation",
        message: { contribution, signerSetVersion, deadline },
      }),
    ),
  );
}
