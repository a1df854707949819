import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";

import type { EmissionController } from "../../types/ethers-contracts/index.js";

/** The policy fields of IEmissionController.Policy, as plain values. */
export interface PolicyValues {
  epochLength: bigint;
  maxBudgetStepBps: bigint;
  annualInflationBps: bigint;
  recycleBps: bigint;
  maxScaleStepBps: bigint;
  minRewardScale: bigint;
  budgetFloor: bigint;
  budgetMax: bigint;
}

export async function readPolicy(emission: EmissionController): Promise<PolicyValues> {
  const p = await emission.policy();
  return {
    epochLength: p.epochLength,
    maxBudgetStepBps: p.maxBudgetStepBps,
    annualInflationBps: p.annualInflationBps,
    recycleBps: p.recycleBps,
    maxScaleStepBps: p.maxScaleStepBps,
    minRewardScale: p.minRewardScale,
    budgetFloor: p.budgetFloor,
    budgetMax: p.budgetMax,
  };
}

/**
 * Pins the budget to `budget` and the reward scale where it is (a static policy), as `owner`
 * (the timelock, impersonated), then moves to the next epoch where it applies. The budget is
 * still bounded by the annual inflation cap's share of an epoch.
 */
export async function pinBudget(
  emission: EmissionController,
  owner: HardhatEthersSigner,
  helpers: NetworkHelpers,
  budget: bigint,
): Promise<void> {
  const policy = await readPolicy(emission);
  await emission.connect(owner).setPolicy({ ...policy, budgetFloor: budget, budgetMax: budget, maxScaleStepBps: 0n });
  await helpers.time.increase(policy.epochLength);
}
