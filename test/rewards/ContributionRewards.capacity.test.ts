import { expect } from "chai";
import { network } from "hardhat";

import { CategoryId } from "../../src/sdk/categories.js";
import { deployGovernedSystem } from "../helpers/fixtures.js";
import { contributionsTo, freshAddresses, signBatch } from "../helpers/rewards.js";

const { networkHelpers } = await network.create();

/** EIP-7825: the most gas one transaction may use, in force on Hardhat's default hardfork. */
const TX_GAS_CAP = 16_777_216n;
/** The largest batch to fresh holders, signed 3-of-5, that `npm run bench` found to fit: 525. */
const LARGEST_FRESH_BATCH = 520;

describe("ContributionRewards capacity", function () {
  it(`fits ${LARGEST_FRESH_BATCH} fresh holders in one transaction under the ${TX_GAS_CAP} gas cap`, async function () {
    const sys = await networkHelpers.loadFixture(deployGovernedSystem);
    const signers = sys.oracles.slice(0, 3);
    const warmup = await signBatch(sys.rewards, contributionsTo(freshAddresses(5, "warm"), 1n, 0, 10_000), { signers });
    await sys.rewards.rewardBatch(warmup.args, warmup.signatures);

    const recipients = freshAddresses(LARGEST_FRESH_BATCH, "capacity");
    const batch = await signBatch(sys.rewards, contributionsTo(recipients, 100n, CategoryId.qualityInput, 10_000), {
      signers,
    });
    const receipt = await (await sys.rewards.rewardBatch(batch.args, batch.signatures)).wait();
    expect(receipt!.gasUsed).to.be.lessThanOrEqual(TX_GAS_CAP);
    expect(await sys.rewards.isRewarded(100n + BigInt(LARGEST_FRESH_BATCH) - 1n)).to.equal(true);
  });

  it("cannot fit a batch well past that size: the node refuses it and nothing is minted", async function () {
    const sys = await networkHelpers.loadFixture(deployGovernedSystem);
    const recipients = freshAddresses(600, "too-many");
    const batch = await signBatch(sys.rewards, contributionsTo(recipients, 1n, CategoryId.qualityInput, 10_000), {
      signers: sys.oracles.slice(0, 3),
    });
    let refused = false;
    try {
      const estimate = await sys.rewards.rewardBatch.estimateGas(batch.args, batch.signatures);
      refused = estimate > TX_GAS_CAP;
    } catch {
      refused = true;
    }
    expect(refused).to.equal(true);
    expect(await sys.rewards.isRewarded(1n)).to.equal(false);
  });
});
