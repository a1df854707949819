import { expect } from "chai";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import CreditSystemModule from "../../ignition/modules/CreditSystem.js";
import { CategoryId } from "../../src/sdk/categories.js";
import { DAY, oracleAccounts, TOKEN } from "../helpers/fixtures.js";
import { contributionsTo, freshAddresses, signBatch } from "../helpers/rewards.js";

const { networkHelpers } = await network.create();
const { time } = networkHelpers;

const EPOCH = 7n * DAY;
const YEAR = 365n * DAY;

/**
 * A young economy: 1M tokens in circulation, 2% a year (20k). Plain budgets stay under the
 * cap's weekly share (~383 tokens); burns recycled at 100% can lift one epoch's budget far above
 * it, which is where the trailing-year cap has to hold the line.
 */
async function deploySmallEconomy(connection: NetworkConnection) {
  const [, holder] = await connection.ethers.getSigners();
  const oracles = oracleAccounts(5);
  const stablecoin = await connection.ethers.deployContract("TestStablecoin", [], holder);
  const deployed = await connection.ignition.deploy(CreditSystemModule, {
    displayUi: false,
    parameters: {
      CreditGovernanceModule: {
        treasuryAllocation: 0n,
        genesisRecipients: [holder!.address],
        genesisAmounts: [1_000_000n * TOKEN],
      },
      CreditRewardsModule: {
        epochLength: EPOCH,
        initialBudget: 300n * TOKEN,
        budgetFloor: 100n * TOKEN,
        annualInflationBps: 200n,
        recycleBps: 10_000n,
        maxScaleStepBps: 0n, // keep the reward scale at 1.0 so amounts stay exact
        oracleSigners: oracles.map((o) => o.address),
        oracleThreshold: 3n,
      },
      CreditCreditsModule: { redemptionRate: 10_000n },
      StablecoinModule: { stablecoin: await stablecoin.getAddress() },
    },
  });
  const { ethers } = connection;
  const emission = await ethers.getContractAt("EmissionController", await deployed.emission.getAddress());
  const token = await ethers.getContractAt("CreditToken", await deployed.token.getAddress());
  await token.connect(holder).approve(await emission.getAddress(), ethers.MaxUint256);
  return {
    token,
    emission,
    rewards: await ethers.getContractAt("ContributionRewards", await deployed.rewards.getAddress()),
    holder: holder!,
    oracles,
  };
}

describe("ContributionRewards under the annual inflation cap", function () {
  it("lets recycled burns lift a budget, but never past the trailing-year cap, which recovers a year later", async function () {
    const { token, emission, rewards, holder, oracles } = await networkHelpers.loadFixture(deploySmallEconomy);
    let nextId = 1n;
    const mintedByEpoch = new Map<bigint, bigint>();

    /** 150 bug fixes at 2.0x (200 tokens each): more than any epoch here can pay. */
    async function flood() {
      const items = contributionsTo(freshAddresses(150, `annual-${nextId}`), nextId, CategoryId.bugFix, 20_000);
      nextId += 150n;
      const batch = await signBatch(rewards, items, { signers: oracles.slice(0, 3) });
      const supplyBefore = await token.totalSupply();
      await rewards.rewardBatch(batch.args, batch.signatures);
      const epoch = await emission.currentEpoch();
      const minted = (await token.totalSupply()) - supplyBefore;
      mintedByEpoch.set(epoch, (mintedByEpoch.get(epoch) ?? 0n) + minted);
      return { epoch, state: await emission.epochState(epoch) };
    }

    // Heavy spending in the first week: 40k burned, all of it recycled into next week's budget.
    await emission.connect(holder).burn(40_000n * TOKEN);
    await time.increase(EPOCH);

    let capBound = false;
    for (let week = 1; week < 6; week++) {
      const { epoch, state } = await flood();
      const before = [...mintedByEpoch.entries()].filter(([e]) => e < epoch).reduce((sum, [, m]) => sum + m, 0n);
      expect(state.mintedInWindowBefore).to.equal(before);
      const room = state.annualCap > before ? state.annualCap - before : 0n;
      expect(state.limit).to.equal(room < state.budget ? room : state.budget);
      expect(state.minted).to.be.lessThanOrEqual(state.limit);
      expect(state.minted).to.equal(mintedByEpoch.get(epoch));
      // Over the trailing year (all of it so far), never more than the cap in force.
      expect(before + state.minted).to.be.lessThanOrEqual(state.annualCap);
      if (state.limit < state.budget) capBound = true;
      await time.increase(EPOCH);
    }
    expect(capBound).to.equal(true);
    const firstWeek = mintedByEpoch.get(1n)!;
    expect(firstWeek).to.be.greaterThan(10_000n * TOKEN); // the recycled burns were minted

    // A year and an epoch later the early weeks have left the window: the budget is back in full.
    await time.increase(YEAR + EPOCH);
    const { state } = await flood();
    expect(state.mintedInWindowBefore).to.equal(0n);
    expect(state.limit).to.equal(state.budget);
  });
});
