/**
 * Drives the real EmissionController (and CreditToken) epoch by epoch on a Hardhat network,
 * standing in for the rewards contract (a minter account that records each mint with the
 * controller and mints the same amount) and for spending (a holder that burns through the
 * controller). Used by scripts/emission-report.ts and the scenario tests.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";

import type { Policy } from "../../src/sdk/emissionPolicy.js";
import { WAD } from "../../src/sdk/emissionPolicy.js";
import type { CreditToken, EmissionController } from "../../types/ethers-contracts/index.js";

const TOKEN = 10n ** 18n;
const DAY = 86_400n;

/** The default policy of the deployment (ignition/modules/CreditRewards.ts). */
export const DEFAULT_POLICY: Policy = {
  epochLength: 7n * DAY,
  maxBudgetStepBps: 1_250n,
  annualInflationBps: 200n,
  recycleBps: 5_000n,
  maxScaleStepBps: 2_500n,
  minRewardScale: 10n ** 17n,
  budgetFloor: 10_000n * TOKEN,
  budgetMax: 10_000_000n * TOKEN,
};

export interface SimulationOptions {
  policy?: Partial<Policy>;
  initialBudget?: bigint;
  /** Tokens in circulation at the start (the annual cap is a share of supply). */
  genesisSupply?: bigint;
}

export interface Simulation {
  token: CreditToken;
  emission: EmissionController;
  minter: HardhatEthersSigner;
  spender: HardhatEthersSigner;
  owner: HardhatEthersSigner;
  connection: NetworkConnection;
}

/** What happens in one epoch: rewards attested (priced at scale 1.0) and tokens burned. */
export interface EpochInput {
  demand: bigint;
  burned: bigint;
}

/** One epoch as recorded on chain. */
export interface EpochRow {
  epoch: bigint;
  budget: bigint;
  limit: bigint;
  /** Attested rewards, priced at the epoch's reward scale. */
  demand: bigint;
  minted: bigint;
  burned: bigint;
  rewardScale: bigint;
  supply: bigint;
  mintedInTrailingYear: bigint;
  annualCap: bigint;
}

export async function deploySimulation(
  connection: NetworkConnection,
  options: SimulationOptions = {},
): Promise<Simulation> {
  const { ethers } = connection;
  const [admin, minter, spender, owner] = await ethers.getSigners();
  if (!admin || !minter || !spender || !owner) throw new Error("need 4 accounts");
  const supply = options.genesisSupply ?? 400_000_000n * TOKEN;
  const token = await ethers.deployContract("CreditToken", [
    "Contribution Credit",
    "CRED",
    10n ** 9n * TOKEN,
    admin.address,
    admin.address,
    0n,
    [spender.address],
    [supply],
  ]);
  await token.connect(admin).grantRole(await token.MINTER_ROLE(), minter.address);
  const policy = { ...DEFAULT_POLICY, ...options.policy };
  const emission = await ethers.deployContract("EmissionController", [
    await token.getAddress(),
    owner.address,
    policy,
    options.initialBudget ?? SCENARIO_WEEKLY_DEMAND,
  ]);
  await token.connect(spender).approve(await emission.getAddress(), ethers.MaxUint256);
  return { token, emission, minter, spender, owner, connection };
}

/**
 * Plays one epoch: prices `demand` at the epoch's reward scale, mints what fits the limit
 * (recording it with the controller first, as ContributionRewards does), burns `burned`,
 * reads the epoch back, then moves time to the next epoch.
 */
export async function playEpoch(sim: Simulation, input: EpochInput): Promise<EpochRow> {
  const { emission, token, minter, spender } = sim;
  const [epoch, limit, mintedSoFar, scale] = await emission.mintAllowance();
  const priced = (input.demand * scale) / WAD;
  const minted = priced < limit - mintedSoFar ? priced : limit - mintedSoFar;
  await emission.connect(minter).recordMint(epoch, minted, priced);
  if (minted > 0n) await token.connect(minter).mint(minter.address, minted);
  if (input.burned > 0n) await emission.connect(spender).burn(input.burned);
  const state = await emission.epochState(epoch);
  const row: EpochRow = {
    epoch,
    budget: state.budget,
    limit: state.limit,
    demand: state.demand,
    minted: state.minted,
    burned: state.burned,
    rewardScale: state.rewardScale,
    supply: await token.totalSupply(),
    mintedInTrailingYear: await emission.mintedInTrailingYear(),
    annualCap: state.annualCap,
  };
  await sim.connection.networkHelpers.time.increaseTo(state.start + state.duration);
  return row;
}

/** Named 52-week demand series, in tokens per week at scale 1.0. */
export type ScenarioName = "steady" | "influx" | "drought" | "burn-heavy";
export const SCENARIO_NAMES: readonly ScenarioName[] = ["steady", "influx", "drought", "burn-heavy"];

/**
 * The normal weekly demand of the scenarios, and the initial budget of the simulation: half
 * the ceiling the 2% cap allows on 400M tokens (~153k a week), so that growth is visible.
 */
export const SCENARIO_WEEKLY_DEMAND = 75_000n * TOKEN;

export function scenario(name: ScenarioName, weeks = 52): EpochInput[] {
  const base = SCENARIO_WEEKLY_DEMAND;
  return Array.from({ length: weeks }, (_, week) => {
    switch (name) {
      case "steady":
        return { demand: base, burned: 0n };
      case "influx":
        // Normal demand, then a sudden influx of users: 5x demand for 10 weeks, then normal.
        return { demand: week >= 8 && week < 18 ? 5n * base : base, burned: 0n };
      case "drought":
        return { demand: week < 4 ? base : 0n, burned: 0n };
      case "burn-heavy":
        // Heavy spending: users burn 300k a week, while demand stays at twice the budget.
        return { demand: 2n * base, burned: 300_000n * TOKEN };
    }
  });
}
