import { expect } from "chai";
import { network } from "hardhat";

import { CategoryId, DEFAULT_CATEGORIES } from "../../src/sdk/categories.js";
import { deployGovernedSystem } from "../helpers/fixtures.js";
import { contributionsTo, freshAddresses, signBatch } from "../helpers/rewards.js";

const { networkHelpers } = await network.create();

describe("ContributionRewards smoke", function () {
  it("rewards a 3-of-5 signed batch of 100", async function () {
    const { rewards, token, oracles } = await networkHelpers.loadFixture(deployGovernedSystem);
    const recipients = freshAddresses(100);
    const items = contributionsTo(recipients, 1n, CategoryId.taskCompletion, 15_000);
    const batch = await signBatch(rewards, items, { signers: oracles.slice(0, 3) });
    const tx = await rewards.rewardBatch(batch.args, batch.signatures);
    const receipt = await tx.wait();
    console.log("gas", receipt!.gasUsed, Number(receipt!.gasUsed) / 100);
    const expected = (DEFAULT_CATEGORIES[0]!.baseReward * 15_000n) / 10_000n;
    expect(await token.balanceOf(recipients[7]!)).to.equal(expected);
    expect(await rewards.isRewarded(42n)).to.equal(true);
  });
});
