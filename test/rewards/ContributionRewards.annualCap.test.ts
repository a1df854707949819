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
const BUDGET = 15_000n * TOKEN;
const ANNUAL_BPS = 200n;
const YEAR = 365n * DAY;

/** A young economy: 1M tokens in circulation, so 2% a year (20k) binds before 15k a week does. */
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
        epochBudget: BUDGET,
        annualInflationBps: ANNUAL_BPS,
        oracleSigners: oracles.map((o) => o.address),
        oracleThreshold: 3n,
      },
      CreditCreditsModule: { redemptionRate: 10_000n },
      StablecoinModule: { stablecoin: await stablecoin.getAddress() },
    },
  });
  const { ethers } = connection;
  return {
    token: await ethers.getContractAt("CreditToken", await deployed.token.getAddress()),
    emission: await ethers.getContractAt("EmissionController", await deployed.emission.getAddress()),
    rewards: await ethers.getContractAt("ContributionRewards", await deployed.rewards.getAddress()),
    oracles,
  };
}

describe("ContributionRewards under the annual inflation cap", function () {
  it("shrinks each epoch's limit as the trailing year fills, defers the rest, and recovers a year later", async function () {
    const { token, emission, rewards, oracles } = await networkHelpers.loadFixture(deploySmallEconomy);
    let nextId = 1n;
    const mintedByEpoch = new Map<bigint, bigint>();

    /** 80 bug fixes at 2.0x (200 tokens each): more than any epoch here can pay. */
    async function flood() {
      const items = contributionsTo(freshAddresses(80, `annual-${nextId}`), nextId, CategoryId.bugFix, 20_000);
      nextId += 80n;
      const batch = await signBatch(rewards, items, { signers: oracles.slice(0, 3) });
      const supplyBefore = await token.totalSupply();
      await rewards.rewardBatch(batch.args, batch.signatures);
      const epoch = await emission.currentEpoch();
      const minted = (await token.totalSupply()) - supplyBefore;
      mintedByEpoch.set(epoch, (mintedByEpoch.get(epoch) ?? 0n) + minted);
      return { epoch, state: await emission.epochState(epoch) };
    }

    const limits: bigint[] = [];
    for (let week = 0; week < 6; week++) {
      const { epoch, state } = await flood();
      // The policy, checked from the recorded figures.
      const before = [...mintedByEpoch.entries()].filter(([e]) => e < epoch).reduce((sum, [, m]) => sum + m, 0n);
      expect(state.mintedInWindowBefore).to.equal(before);
      const room = state.annualCap > before ? state.annualCap - before : 0n;
      expect(state.limit).to.equal(room < BUDGET ? room : BUDGET);
      expect(state.minted).to.be.lessThanOrEqual(state.limit);
      expect(state.minted).to.equal(mintedByEpoch.get(epoch));
      expect(state.demand).to.equal(80n * 200n * TOKEN);
      // Over the trailing year (all of it so far), never more than the cap in force.
      expect(before + state.minted).to.be.lessThanOrEqual(state.annualCap);
      limits.push(state.limit);
      await time.increase(EPOCH);
    }
    // The cap binds from the second week and squeezes the limit towards zero, where it stays
    // while nothing more can be minted.
    expect(limits[0]).to.equal(BUDGET);
    expect(limits[1]).to.be.lessThan(BUDGET);
    for (let i = 2; i < limits.length; i++) expect(limits[i]).to.be.lessThanOrEqual(limits[i - 1]!);
    expect(limits[limits.length - 1]).to.be.lessThan(1_000n * TOKEN);

    // A year after the first weeks, they leave the trailing window and the budget is back.
    await time.increase(YEAR);
    const { epoch, state } = await flood();
    const windowStart = await emission.epochAt((await emission.epochState(epoch)).start - YEAR);
    const inWindow = [...mintedByEpoch.entries()]
      .filter(([e]) => e >= windowStart && e < epoch)
      .reduce((sum, [, m]) => sum + m, 0n);
    expect(state.mintedInWindowBefore).to.equal(inWindow);
    expect(state.limit).to.equal(BUDGET);
    expect(await emission.mintedInTrailingYear()).to.equal(inWindow + state.minted);
  });
});
